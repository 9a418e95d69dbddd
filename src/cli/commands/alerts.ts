import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { EXIT_OK, EXIT_USAGE } from '../command.js';
import { checkOutputDirectory } from './output-path.js';
import { loadConfigFile } from '../../gateway/config/load.js';
import { ConfigError } from '../../gateway/config/problems.js';
import { InvalidOptionsError } from '../../core/errors.js';
import { opsConfigFrom } from '../../ops/config-sections.js';
import { resolveOpsConfig } from '../../ops/config.js';
import { prometheusRulesYaml } from '../../ops/prometheus-rules.js';

const USAGE = `Usage:
  bulwark alerts export --format prometheus [--config FILE] [--out FILE] [--runbook-base-url URL]

Writes Prometheus alerting rules (YAML: groups/rules) equivalent to the gateway's built-in alerts,
over the metrics it exports on /metrics: circuit breaker opened, error rate above the threshold
(route and model group), p95 latency above the threshold (histogram_quantile over
gen_ai_client_operation_duration_seconds), primary model group unavailable, and the SLO
multi-window burn-rate pairs (1h/5m 14.4x, 6h/30m 6x, 3d/6h 1x) for availability and latency,
and the replica's event-loop lag. Every rule has for:, severity, summary and runbook_url.

  --format prometheus   The only format today.
  --config FILE         bulwark.yaml: thresholds from its alerts: and slo: sections
                        (defaults: error rate 5%, p95 2000 ms, SLO 99.5% and 95% under 2 s).
  --out FILE            Write to FILE instead of stdout.
  --runbook-base-url URL  Prefix of each rule's runbook_url (default docs/runbooks/, the pages
                        shipped with Bulwark: one per alert).

Exit codes: 0 written, 2 usage or config error.`;

const alerts: Command = {
  name: 'alerts',
  summary: 'Export the built-in alerts as Prometheus alerting rules (alerts export --format prometheus)',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { format: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, 'runbook-base-url': { type: 'string' } },
      });
    } catch (error) {
      console.error(`bulwark alerts: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    const { positionals, values } = parsed;
    if (positionals.length !== 1 || positionals[0] !== 'export') {
      console.error(positionals.length > 0 ? `bulwark alerts: unknown sub-command '${positionals.join(' ')}'\n\n${USAGE}` : USAGE);
      return EXIT_USAGE;
    }
    if (values.format !== 'prometheus') {
      console.error(`bulwark alerts export: --format must be 'prometheus' (got ${values.format === undefined ? 'nothing' : `'${values.format}'`})`);
      return EXIT_USAGE;
    }
    let yaml: string;
    try {
      if (values.out) await checkOutputDirectory(values.out, '--out');
    } catch (error) {
      console.error(`bulwark alerts export: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    try {
      const loaded = values.config ? await loadConfigFile(values.config) : undefined;
      // The gateway config's own `tenants:` section (quotas) is not ops' list of tenant labels: those are the keys' tenants.
      const sections = loaded === undefined ? {} : { ...loaded, tenants: [...new Set(loaded.auth.keys.map((k) => k.tenant))] };
      yaml = prometheusRulesYaml(resolveOpsConfig(opsConfigFrom(sections)), { runbookBaseUrl: values['runbook-base-url'] });
    } catch (error) {
      if (error instanceof ConfigError || error instanceof InvalidOptionsError) {
        console.error(error.message);
        return EXIT_USAGE;
      }
      throw error;
    }
    if (values.out) await writeFile(values.out, yaml);
    else process.stdout.write(yaml);
    return EXIT_OK;
  },
};
export default alerts;
