import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../../core/errors.js';
import { FakeClock } from '../../core/fake-clock.js';
import { seededRandom } from '../../core/random.js';
import type { ModelGroupConfig } from '../router-config.js';
import { createGroupBalancer } from './group-balancer.js';
import { group } from './test-helpers.js';

const deps = () => ({ clock: new FakeClock(), random: seededRandom(1), groupName: 'gpt4' });

describe('group validation', () => {
  const cases: Array<[string, ModelGroupConfig, RegExp]> = [
    ['unknown balancer', group([{ id: 'a' }], { balancer: 'fastest' as never }), /modelGroups\.gpt4\.balancer must be one of .*got "fastest"/],
    ['no deployments', group([]), /modelGroups\.gpt4\.deployments must list at least one/],
    ['duplicate id', group([{ id: 'a' }, { id: 'a' }]), /deployments\[1\]\.id must be unique.*"a"/],
    ['empty id', group([{ id: '' }]), /deployments\[0\]\.id must be a non-empty string/],
    ['zero weight', group([{ id: 'a', weight: 0 }]), /deployments\[0\]\.weight must be a finite number > 0, got 0/],
    ['NaN priority', group([{ id: 'a', priority: NaN }]), /deployments\[0\]\.priority must be a finite number, got NaN/],
    ['negative rpm', group([{ id: 'a', rpm: -1 }]), /deployments\[0\]\.rpm must be a finite number > 0, got -1/],
    ['zero tpm', group([{ id: 'a', tpm: 0 }]), /deployments\[0\]\.tpm must be a finite number > 0, got 0/],
    ['threshold 0', group([{ id: 'a' }], { ejection: { consecutiveFailures: 0 } }), /ejection\.consecutiveFailures must be an integer ≥ 1, got 0/],
    ['base 0', group([{ id: 'a' }], { ejection: { baseEjectionMs: 0 } }), /ejection\.baseEjectionMs must be a finite number ≥ 1, got 0/],
    ['cap below base', group([{ id: 'a' }], { ejection: { baseEjectionMs: 10_000, maxEjectionMs: 5_000 } }), /ejection\.maxEjectionMs must be .*≥ baseEjectionMs \(10000\), got 5000/],
    ['percent as 50', group([{ id: 'a' }], { ejection: { maxEjectedPercent: 50 } }), /ejection\.maxEjectedPercent must be a share between 0 and 1 \(0\.5 = 50%\), got 50/],
    ['negative slow start', group([{ id: 'a' }], { ejection: { slowStartMs: -1 } }), /ejection\.slowStartMs must be a finite number ≥ 0, got -1/],
  ];
  it.each(cases)('rejects %s naming the field and value', (_name, config, message) => {
    expect(() => createGroupBalancer(config, deps())).toThrow(InvalidOptionsError);
    expect(() => createGroupBalancer(config, deps())).toThrow(message);
  });

  it('accepts a full valid config', () => {
    const config = group(
      [{ id: 'a', weight: 2, priority: 0, rpm: 10, tpm: 1000 }, { id: 'b', priority: 1 }],
      { balancer: 'usage', ejection: { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionMs: 1000, maxEjectedPercent: 1, slowStartMs: 0 } },
    );
    expect(createGroupBalancer(config, deps()).states().map((s) => s.id)).toEqual(['a', 'b']);
  });
});
