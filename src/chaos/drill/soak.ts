/**
 * The soak: a long, steady load with the mock's `chaos` preset (errors, hangs, resets, malformed
 * bodies, cut streams, heavy-tailed latency) on every deployment, against a real `bulwark serve`
 * process. It reports what a short drill cannot show: requests lost over the whole run, the
 * gateway's memory growth after warm-up and whether its open file descriptors stay flat.
 * Not part of `npm test` (it runs for minutes): `npm run soak` or `bulwark drill --soak`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { runLoad, type SendResult } from '../load/runner.js';
import { MOCK_PRESETS } from '../mock/presets.js';
import { drillPlan } from './plan.js';
import { startRealTarget } from './real-target.js';
import { ALL_DEPLOYMENTS } from './topology.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Default {@link DEFAULT_SOAK_DURATION_MS}. */
  durationMs?: number;
  /** Requests per second (open model). Default {@link DEFAULT_SOAK_RATE}. */
  rate?: number;
  /** Seed of the mock's fault draws. Default 1. */
  seed?: number;
  /** Where the gateway's output goes. */
  logFile?: string;
  /** Called every {@link SOAK_SAMPLE_MS} with the latest sample. */
  onSample?: (sample: SoakSample) => void;
  signal?: AbortSignal;
}

/** 10 minutes. */
export const DEFAULT_SOAK_DURATION_MS = 600_000;
/** 100 requests per second. */
export const DEFAULT_SOAK_RATE = 100;
/** The gateway's RSS and open files are read this often (ms). */
export const SOAK_SAMPLE_MS = 5_000;
/** RSS growth is measured from the end of this share of the run (the warm-up: JIT, pools, caches filling). */
export const SOAK_WARMUP_SHARE = 0.1;
/** Every this-many-th request streams. */
const STREAM_EVERY = 3;

/** One reading of the gateway process. */
export interface SoakSample {
  atMs: number;
  rssBytes: number;
  openFds: number;
  sent: number;
  lost: number;
  /** Clear errors so far. */
  errors: number;
}

/** What a soak found. */
export interface SoakReport {
  durationMs: number;
  rate: number;
  requests: number;
  /** Answered by a model, the cache or the default answer. */
  answered: number;
  /** A clear error (status + message) before the client's timeout. */
  errors: number;
  /** No answer and no clear error before the client's timeout (or the connection failed). */
  lost: number;
  lostByError: Record<string, number>;
  /** Clear errors by kind (`http_503`, `stream_error_event`…). */
  errorsByKind: Record<string, number>;
  latencyP99Ms: number;
  rssAfterWarmupBytes: number;
  rssEndBytes: number;
  rssMaxBytes: number;
  /** (end − after warm-up) / after warm-up. */
  rssGrowth: number;
  fdsAfterWarmup: number;
  fdsEnd: number;
  fdsMax: number;
  samples: SoakSample[];
}

async function readProcess(pid: number): Promise<{ rssBytes: number; openFds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  const fds = await readdir(`/proc/${pid}/fd`);
  return { rssBytes: rssKb * 1024, openFds: fds.length };
}

/** Runs the soak (Linux: reads /proc for the gateway's RSS and descriptors) and returns its report. */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const durationMs = options.durationMs ?? DEFAULT_SOAK_DURATION_MS;
  const rate = options.rate ?? DEFAULT_SOAK_RATE;
  const plan = drillPlan(Math.max(durationMs, 20_000), rate);
  const target = await startRealTarget({ timings: plan.timings, seed: options.seed ?? 1, logFile: options.logFile });
  const samples: SoakSample[] = [];
  const lostByError: Record<string, number> = {};
  const errorsByKind: Record<string, number> = {};
  let sent = 0;
  let lost = 0;
  let errors = 0;
  let answered = 0;
  const started = Date.now();
  const sampler = setInterval(() => {
    const pid = target.gatewayPid;
    if (pid === undefined) return;
    void readProcess(pid).then((p) => {
      const sample = { atMs: Date.now() - started, ...p, sent, lost, errors };
      samples.push(sample);
      options.onSample?.(sample);
    }, () => undefined);
  }, SOAK_SAMPLE_MS);
  try {
    await target.setFaults(ALL_DEPLOYMENTS, MOCK_PRESETS.chaos.default);
    const send = async (index: number, signal: AbortSignal): Promise<SendResult> => {
      sent++;
      let answer;
      try {
        answer = await target.send(index, index % STREAM_EVERY === 0, signal);
      } catch (error) {
        lost++;
        const name = (error as Error).name;
        lostByError[name] = (lostByError[name] ?? 0) + 1;
        throw error;
      }
      if (answer.step === 'lost') {
        lost++;
        const name = answer.error ?? 'lost';
        lostByError[name] = (lostByError[name] ?? 0) + 1;
      } else if (answer.step === 'error') {
        errors++;
        const name = answer.error ?? `http_${answer.status}`;
        errorsByKind[name] = (errorsByKind[name] ?? 0) + 1;
      }
      else answered++;
      const ok = answer.step !== 'error' && answer.step !== 'lost';
      return { ok, status: answer.status, servedBy: answer.servedBy, error: ok ? undefined : answer.error };
    };
    const summary = await runLoad(send, {
      model: { kind: 'open', rate }, durationMs, requestTimeoutMs: plan.requestTimeoutMs, maxInFlight: 100_000, signal: options.signal,
    });
    const last = await readProcess(target.gatewayPid!).catch(() => undefined);
    if (last) samples.push({ atMs: Date.now() - started, ...last, sent, lost, errors });
    const warm = samples.find((s) => s.atMs >= durationMs * SOAK_WARMUP_SHARE) ?? samples[0];
    const end = samples[samples.length - 1];
    return {
      durationMs, rate, requests: summary.requests, answered, errors, lost, lostByError, errorsByKind,
      latencyP99Ms: summary.latency.p99Ms,
      rssAfterWarmupBytes: warm?.rssBytes ?? NaN,
      rssEndBytes: end?.rssBytes ?? NaN,
      rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
      rssGrowth: warm && end ? (end.rssBytes - warm.rssBytes) / warm.rssBytes : NaN,
      fdsAfterWarmup: warm?.openFds ?? NaN,
      fdsEnd: end?.openFds ?? NaN,
      fdsMax: Math.max(...samples.map((s) => s.openFds)),
      samples,
    };
  } finally {
    clearInterval(sampler);
    await target.close();
  }
}

/** The soak's one-paragraph verdict (targets: lost 0, RSS growth < 10 %, descriptors flat). */
export function formatSoak(r: SoakReport): string {
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  return [
    `soak: ${(r.durationMs / 1000).toFixed(0)} s at ${r.rate} rps, chaos preset on every deployment`,
    `requests ${r.requests}: answered ${r.answered} (${r.requests ? ((r.answered / r.requests) * 100).toFixed(1) : '0.0'} %), clear errors ${r.errors}${r.errors > 0 ? ` (${Object.entries(r.errorsByKind).map(([k, n]) => `${k}=${n}`).join(', ')})` : ''}, lost ${r.lost}${r.lost > 0 ? ` (${Object.entries(r.lostByError).map(([k, n]) => `${k}=${n}`).join(', ')})` : ''}; p99 ${r.latencyP99Ms} ms`,
    `gateway RSS ${mb(r.rssAfterWarmupBytes)} after warm-up → ${mb(r.rssEndBytes)} at the end (${(r.rssGrowth * 100).toFixed(1)} %, max ${mb(r.rssMaxBytes)})`,
    `open fds ${r.fdsAfterWarmup} after warm-up → ${r.fdsEnd} at the end (max ${r.fdsMax})`,
    `${r.lost === 0 ? '✓' : '✗'} lost = 0   ${r.rssGrowth < 0.1 ? '✓' : '✗'} RSS growth < 10 %   ${r.fdsEnd <= r.fdsAfterWarmup + 10 ? '✓' : '✗'} fds flat (±10)`,
  ].join('\n');
}
