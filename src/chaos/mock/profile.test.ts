import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_MS } from './fault-plan.js';
import { MOCK_PRESETS } from './presets.js';
import { MockProfileError, parseMockProfile, patchMockProfile } from './profile.js';
import { DEFAULT_MOCK_HOST, DEFAULT_MOCK_MODELS, DEFAULT_MOCK_SEED } from './server.js';
import { DEFAULT_MOCK_CLI_PORT } from '../../cli/commands/mock.js';

function issuesOf(input: unknown): string[] {
  try {
    parseMockProfile(input);
  } catch (error) {
    expect(error).toBeInstanceOf(MockProfileError);
    return (error as MockProfileError).issues;
  }
  throw new Error('expected the profile to be rejected');
}

describe('mock profile', () => {
  it('pins the defaults', () => {
    expect(DEFAULT_RETRY_AFTER_MS).toBe(1000);
    expect(DEFAULT_MOCK_SEED).toBe(1);
    expect(DEFAULT_MOCK_HOST).toBe('127.0.0.1');
    expect(DEFAULT_MOCK_CLI_PORT).toBe(4010);
    expect(DEFAULT_MOCK_MODELS).toEqual([
      'gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-6', 'claude-haiku-4-5', 'text-embedding-3-small', 'text-embedding-3-large', 'gpt-3.5-turbo-instruct',
    ]);
  });

  it('has the documented presets, each valid', () => {
    expect(Object.keys(MOCK_PRESETS)).toEqual(['healthy', 'flaky', 'down', 'rate-limited', 'slow', 'hang', 'cut-streams', 'chaos']);
    for (const name of Object.keys(MOCK_PRESETS)) expect(() => parseMockProfile(name)).not.toThrow();
    expect(parseMockProfile('down').default.errors).toEqual({ '503': 1 });
    expect(parseMockProfile({ preset: 'hang' }).default.hang).toBe(1);
  });

  it('merges a profile over the preset it extends, field by field', () => {
    const profile = parseMockProfile({ extends: 'flaky', default: { errors: { '500': 0.5 } }, deployments: { primary: { errors: { '503': 1 } } } });
    expect(profile.default.errors).toEqual({ '500': 0.5 }); // a field replaces the preset's field whole
    expect(profile.default.latency).toEqual({ kind: 'uniform', minMs: 5, maxMs: 50 }); // other fields kept
    expect(profile.deployments.primary.errors).toEqual({ '503': 1 });
  });

  it('names the field and the bad value in errors', () => {
    expect(issuesOf({ default: { errors: { '429': 2 } } })[0]).toMatch(/^profile\.default\.errors\.429: .*\(got 2\)$/);
    expect(issuesOf({ models: { 'gpt-4o': { latency: { kind: 'uniform', minMs: 50, maxMs: 10 } } } })[0]).toMatch(/profile\.models\.gpt-4o\.latency\.maxMs: minMs must be <= maxMs/);
    expect(issuesOf({ default: { hange: 1 } })[0]).toMatch(/hange/);
    expect(issuesOf({ extends: 'stormy' })[0]).toMatch(/profile\.extends: unknown preset .*\(got "stormy"\)/);
    expect(issuesOf('stormy')[0]).toMatch(/unknown preset "stormy"/);
    expect(issuesOf({ default: { errors: { '500': 0.6 }, hang: 0.6 } })[0]).toMatch(/add up to 1\.2/);
    expect(issuesOf({ default: { streamCut: { afterChunks: -1 } } })[0]).toMatch(/streamCut\.afterChunks.*\(got -1\)/);
  });

  it('fills streamCut.probability with 1', () => {
    expect(parseMockProfile({ default: { streamCut: { afterChunks: 2 } } }).default.streamCut).toEqual({ afterChunks: 2, probability: 1 });
  });

  it('patches without mutating, and null removes an override', () => {
    const before = parseMockProfile({ models: { a: { hang: 1 } }, deployments: { primary: { errors: { '503': 1 } } } });
    const after = patchMockProfile(before, { default: { tokenDelayMs: 5 }, models: { a: null, b: { reset: 1 } }, deployments: { primary: { latency: { kind: 'fixed', ms: 5 } } } });
    expect(after).toEqual({
      default: { tokenDelayMs: 5 },
      models: { b: { reset: 1 } },
      deployments: { primary: { errors: { '503': 1 }, latency: { kind: 'fixed', ms: 5 } } },
    });
    expect(before.models).toEqual({ a: { hang: 1 } });
    expect(() => patchMockProfile(before, { models: { a: { reset: 3 } } })).toThrow(/profile\.models\.a\.reset/);
  });
});
