import { describe, expect, it } from 'vitest';
import * as D from './defaults.js';
import { resolveOpsConfig } from './config.js';
import { InvalidOptionsError } from '../core/errors.js';

describe('ops defaults (pinned)', () => {
  it('keeps the documented values', () => {
    expect(D.GEN_AI_DURATION_BUCKETS_S).toEqual([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    expect(D.GEN_AI_TOKEN_BUCKETS).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    expect(D.DEFAULT_BURN_RATE_PAIRS.map((p) => [p.longMs, p.shortMs, p.factor, p.severity])).toEqual([
      [3_600_000, 300_000, 14.4, 'page'], [21_600_000, 1_800_000, 6, 'page'], [259_200_000, 21_600_000, 1, 'ticket'],
    ]);
    for (const p of D.DEFAULT_BURN_RATE_PAIRS) expect(p.shortMs * 12).toBe(p.longMs);
    expect({
      slo: [D.DEFAULT_SLO_AVAILABILITY_PERCENT, D.DEFAULT_SLO_LATENCY_THRESHOLD_MS, D.DEFAULT_SLO_LATENCY_PERCENT],
      alerts: [D.DEFAULT_ALERT_EVALUATE_EVERY_MS, D.DEFAULT_ALERT_REPEAT_INTERVAL_MS, D.DEFAULT_ERROR_RATE_THRESHOLD, D.DEFAULT_ALERT_WINDOW, D.DEFAULT_ALERT_MIN_REQUESTS, D.DEFAULT_LATENCY_P95_THRESHOLD_MS, D.DEFAULT_ALERT_TIMELINE_SIZE],
      delivery: [D.DEFAULT_DELIVERY_QUEUE_SIZE, D.DEFAULT_DELIVERY_MAX_ATTEMPTS, D.DEFAULT_DELIVERY_BASE_DELAY_MS, D.DEFAULT_DELIVERY_MAX_DELAY_MS, D.DEFAULT_DELIVERY_TIMEOUT_MS],
      health: [D.DEFAULT_HEALTH_ERROR_RATE_THRESHOLD, D.DEFAULT_HEALTH_LATENCY_P95_MS, D.DEFAULT_HEALTH_MIN_REQUESTS],
      probes: [D.DEFAULT_PROBE_INTERVAL_MS, D.DEFAULT_PROBE_TIMEOUT_MS],
      sla: [D.SLA_FINE_BUCKET_MS, D.SLA_FINE_BUCKETS, D.SLA_COARSE_BUCKET_MS, D.SLA_COARSE_BUCKETS, D.SLA_SIGNIFICANT_DIGITS, D.SLA_MAX_LATENCY_MS],
      labels: [D.OTHER_LABEL, D.MAX_UNCONFIGURED_ROUTES],
      burn: [D.BURN_FINE_BUCKET_MS, D.BURN_FINE_BUCKETS, D.BURN_COARSE_BUCKET_MS, D.BURN_COARSE_BUCKETS],
    }).toEqual({
      slo: [99.5, 2000, 95],
      alerts: [10_000, 1_800_000, 0.05, '5m', 20, 2000, 200],
      delivery: [1000, 5, 1000, 30_000, 10_000],
      health: [0.05, 2000, 10],
      probes: [30_000, 5_000],
      sla: [10_000, 30, 300_000, 12, 2, 600_000],
      labels: ['other', 50],
      burn: [60_000, 360, 300_000, 864],
    });
    // The rings cover their windows: 5 min fine SLA, 1 h coarse SLA, 6 h fine burn, 3 d coarse burn.
    expect(D.SLA_FINE_BUCKET_MS * D.SLA_FINE_BUCKETS).toBe(D.SLA_WINDOWS['5m']);
    expect(D.SLA_COARSE_BUCKET_MS * D.SLA_COARSE_BUCKETS).toBe(D.SLA_WINDOWS['1h']);
    expect(D.BURN_FINE_BUCKET_MS * D.BURN_FINE_BUCKETS).toBe(21_600_000);
    expect(D.BURN_COARSE_BUCKET_MS * D.BURN_COARSE_BUCKETS).toBe(259_200_000);
  });

  it('resolves an empty config to the defaults: every alert on, a log sink', () => {
    const c = resolveOpsConfig();
    expect(c.alerts.enabled).toBe(true);
    expect(Object.values(c.alerts.rules).every(Boolean)).toBe(true);
    expect(c.alerts.sinks).toEqual([{ type: 'log' }]);
    expect(c.slo.defaults).toEqual({ availabilityPercent: 99.5, latencyThresholdMs: 2000, latencyPercent: 95 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('rejects bad options naming the field and value (never echoing a webhook URL)', () => {
    const bad: Array<[Parameters<typeof resolveOpsConfig>[0], RegExp]> = [
      [{ alerts: { errorRateThreshold: 5 } }, /alerts\.errorRateThreshold .*got 5/],
      [{ alerts: { window: '2m' as '1m' } }, /alerts\.window .*"2m"/],
      [{ alerts: { repeatInterval: 'soon' } }, /alerts\.repeatInterval/],
      [{ alerts: { minRequests: 0 } }, /alerts\.minRequests/],
      [{ slo: { availabilityPercent: 100 } }, /slo\.availabilityPercent .*got 100/],
      [{ slo: { routes: { 'gpt-4': { latencyPercent: -1 } } } }, /slo\.routes\.gpt-4\.latencyPercent/],
      [{ topology: { routes: { r: { chain: [] } } } }, /topology\.routes\.r\.chain/],
      [{ alerts: { sinks: [{ type: 'email' } as never] } }, /alerts\.sinks\[0\]\.type/],
    ];
    for (const [config, message] of bad) expect(() => resolveOpsConfig(config), String(message)).toThrow(message);
    try {
      resolveOpsConfig({ alerts: { sinks: [{ type: 'slack', url: 'not a url T0KEN' }] } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as Error).message).toContain('alerts.sinks[0].url');
      expect((error as Error).message).not.toContain('T0KEN');
    }
  });
});
