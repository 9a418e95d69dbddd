import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { experimentReportHtml } from '../../chaos/experiment/report.js';
import { runExperiment } from '../../chaos/experiment/run-experiment.js';
import { interpolateEnv, parseExperiment } from '../../chaos/experiment/schema.js';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';
import { checkOutputDirectory } from './output-path.js';

const USAGE = `Usage: bulwark chaos run EXPERIMENT.yaml [--out RESULT.json] [--html REPORT.html] [--replica-log FILE]

Runs a chaos experiment: the steady-state hypothesis is checked before (if it does not hold,
nothing is changed), then the method — a timeline of fault actions on the mock provider, the
fault proxy or the gateway's admin API, with waits — runs while load flows and stops at its first
failed step; rollbacks always run, also on failure or Ctrl-C; then the hypothesis is checked
again. \${ENV_VAR} (or \${ENV_VAR:-default}) in the file is replaced from the environment.

Experiment file (YAML or JSON):
  title: Primary outage is absorbed
  target: { gateway: http://127.0.0.1:4000, mock: http://127.0.0.1:4010, faults: http://127.0.0.1:8474 }
  steadyState:
    probes:
      - { name: ready, type: http, url: /readyz }
      - { name: answers, type: load, rate: 10, duration: 5s, tolerance: { successRate: 0.99, p95Ms: 2000 } }
  load: { rate: 20, duration: 30s, thresholds: { http_req_failed: ["rate<0.01"] } }
  method:
    - { action: mock.profile, patch: { deployments: { primary: { errors: { "503": 1 } } } } }
    - { wait: 20s }
  rollbacks:
    - { action: mock.reset }
Actions: mock.profile (preset | profile | patch), mock.reset, faults.add (toxic), faults.remove (name),
faults.reset, gateway.admin (method, path, body), http (method, url, body), probe (probe), and wait.

Chaos Monkey: with a \`replicas\` section the experiment runs its own gateways — count × \`bulwark serve
--config <config>\` (relative to the experiment file) behind a local TCP balancer, which is the
target's gateway — and replica.kill SIGKILLs a random one (restart: true, restartAfter: 0s), then
starts it again; replica.start (for rollbacks) starts any that is down. Load with
retryConnectionErrors: true retries connections refused or reset before any response, as clients
behind a real balancer do; the report lists each kill and the retried connection failures.
  replicas: { count: 3, config: gateway.yaml }
  load: { rate: 20, duration: 20s, retryConnectionErrors: true, thresholds: { http_req_failed: ["count==0"] } }
  method: [ { wait: 5s }, { action: replica.kill }, { wait: 5s } ]
--replica-log FILE appends the replicas' output to FILE.

Exit codes: 0 passed, 1 failed, aborted or interrupted, 2 invalid experiment or usage.`;

const chaos: Command = {
  name: 'chaos',
  summary: 'Run a chaos experiment: steady state, fault timeline under load, rollbacks, verdict',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'run') {
      console.error(sub ? `bulwark chaos: unknown sub-command '${sub}'\n\n${USAGE}` : USAGE);
      return EXIT_USAGE;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, allowPositionals: true, options: { out: { type: 'string' }, html: { type: 'string' }, 'replica-log': { type: 'string' } } });
    } catch (error) {
      console.error(`bulwark chaos run: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    const file = parsed.positionals[0];
    if (!file) {
      console.error(USAGE);
      return EXIT_USAGE;
    }
    let experiment;
    try {
      experiment = parseExperiment(parseYaml(interpolateEnv(await readFile(file, 'utf8'))));
    } catch (error) {
      console.error(`bulwark chaos run: ${file} is not a valid experiment:\n${(error as Error).message}`);
      return EXIT_USAGE;
    }
    try {
      for (const [option, out] of [['--out', parsed.values.out], ['--html', parsed.values.html]] as const) if (out !== undefined) await checkOutputDirectory(out, option);
    } catch (error) {
      console.error(`bulwark chaos run: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    const stop = new AbortController();
    const onSigint = () => {
      console.error('\ninterrupted: stopping the method, running rollbacks… (Ctrl-C again quits without them)');
      stop.abort();
    };
    process.once('SIGINT', onSigint);
    console.log(`experiment: ${experiment.title}`);
    const result = await runExperiment(experiment, {
      signal: stop.signal,
      baseDir: dirname(resolve(file)),
      replicaLogFile: parsed.values['replica-log'],
      onEvent: (e) => console.log(`  ${(e.atMs / 1000).toFixed(1).padStart(6)}s  ${e.phase.padEnd(19)} ${e.ok ? '✓' : '✗'} ${e.what}${e.detail ? `  (${e.detail})` : ''}`),
    }).finally(() => process.removeListener('SIGINT', onSigint));
    console.log(`verdict: ${result.verdict.toUpperCase()}`);
    for (const reason of result.reasons) console.log(`  - ${reason}`);
    if (parsed.values.out) await writeFile(parsed.values.out, JSON.stringify(result, null, 2));
    if (parsed.values.html) await writeFile(parsed.values.html, experimentReportHtml(result));
    return result.verdict === 'passed' ? EXIT_OK : EXIT_FAILED;
  },
};

export default chaos;
