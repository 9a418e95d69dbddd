import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/duration.js';
import {
  DEFAULT_DRILL_SEED, DEFAULT_REAL_DURATION_MS, DEFAULT_REAL_RATE, DEFAULT_VIRTUAL_DURATION_MS, DEFAULT_VIRTUAL_RATE, drillPlan,
} from '../../chaos/drill/plan.js';
import { drillReportHtml, formatFailures, formatMatrix, servedMix, type DrillReport } from '../../chaos/drill/report.js';
import type { ScenarioResult } from '../../chaos/drill/run-scenario.js';
import { runRealDrill } from '../../chaos/drill/run-real.js';
import { runVirtualDrill } from '../../chaos/drill/run-virtual.js';
import { DEFAULT_SOAK_DURATION_MS, DEFAULT_SOAK_RATE, formatSoak, runSoak } from '../../chaos/drill/soak.js';
import { DEFAULT_DRILL_SLO, DRILL_SCENARIOS, selectScenarios, type DrillScenario } from '../../chaos/drill/scenarios.js';
import { checkOutputDirectory } from './output-path.js';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';

const USAGE = `Usage: bulwark drill [scenario…] [--scenario NAME…] [options]

Disaster-recovery drills: each scenario breaks the system on purpose under load, then checks
that nothing was lost (every request got an answer or a clear error before its timeout), how
fast the fault was detected (TTD) and how fast the primary served again (RTO), the error
budget used against the SLO and the latency, against the scenario's own targets.

Scenarios (default: all):
${DRILL_SCENARIOS.map((s) => `  ${s.name.padEnd(21)}${s.title}`).join('\n')}

Modes:
  (default)              real time: starts the mock provider and a real \`bulwark serve\`
                         process per scenario, on loopback ports (gateway restart = SIGTERM + start)
  --virtual              virtual time: mock, router and load in this process on one simulated
                         clock, deterministic from --seed; the whole matrix runs in seconds

Options:
  --scenario NAME        run this scenario (repeatable; same as naming it as an argument)
  --seed N               seed of the run (virtual: replays a failure exactly; default ${DEFAULT_DRILL_SEED})
  --duration D           length of each scenario: 20% warm-up, 40% fault, 40% recovery
                         (default ${DEFAULT_REAL_DURATION_MS / 1000}s real, ${DEFAULT_VIRTUAL_DURATION_MS / 1000}s virtual; at least 20s)
  --rate N               requests per second (default ${DEFAULT_REAL_RATE} real, ${DEFAULT_VIRTUAL_RATE} virtual)
  --slo PERCENT          availability objective for the error budget (default ${DEFAULT_DRILL_SLO * 100})
  --out FILE             JSON report (default reports/drill-<timestamp>/drill.json)
  --html FILE            HTML report with charts (default reports/drill-<timestamp>/drill.html)
  --soak                 instead of the scenarios: a soak of --duration (default 10m) at --rate
                         (default 100) with the mock's chaos preset on a real gateway; reports
                         lost, the gateway's RSS growth after warm-up and its open descriptors
                         (exit 1 unless lost = 0, RSS growth < 10 % and descriptors flat)
  --list                 list the scenarios and exit
  --quiet                only the matrix

Exit codes: 0 every scenario passed, 1 a scenario failed or the drill was interrupted (Ctrl-C), 2 usage error.`;

function fail(message: string): number {
  console.error(`bulwark drill: ${message}\n\n${USAGE}`);
  return EXIT_USAGE;
}

const drill: Command = {
  name: 'drill',
  summary: 'Disaster-recovery drills (outage, hang, 429 storm, region loss, restart…) with TTD/RTO/SLA verdicts',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          virtual: { type: 'boolean', default: false },
          scenario: { type: 'string', multiple: true },
          seed: { type: 'string' },
          duration: { type: 'string' },
          rate: { type: 'string' },
          slo: { type: 'string' },
          out: { type: 'string' },
          html: { type: 'string' },
          list: { type: 'boolean', default: false },
          soak: { type: 'boolean', default: false },
          quiet: { type: 'boolean', default: false },
        },
        allowPositionals: true,
      });
    } catch (error) {
      return fail((error as Error).message);
    }
    const v = parsed.values;
    if (v.list) {
      for (const s of DRILL_SCENARIOS) console.log(`${s.name.padEnd(21)}${s.title}`);
      return EXIT_OK;
    }
    if (v.soak) return soak(v.duration, v.rate, v.out);
    let scenarios: DrillScenario[];
    try {
      scenarios = selectScenarios([...parsed.positionals, ...(v.scenario ?? [])]);
    } catch (error) {
      return fail((error as Error).message);
    }
    const seed = v.seed === undefined ? DEFAULT_DRILL_SEED : Number(v.seed);
    if (!Number.isInteger(seed) || seed < 0) return fail(`--seed must be a non-negative integer, got '${v.seed}'`);
    let durationMs: number;
    try {
      durationMs = v.duration === undefined ? (v.virtual ? DEFAULT_VIRTUAL_DURATION_MS : DEFAULT_REAL_DURATION_MS) : parseDuration(v.duration, '--duration');
    } catch (error) {
      return fail((error as Error).message);
    }
    const rate = v.rate === undefined ? (v.virtual ? DEFAULT_VIRTUAL_RATE : DEFAULT_REAL_RATE) : Number(v.rate);
    const slo = v.slo === undefined ? DEFAULT_DRILL_SLO : Number(v.slo) / 100;
    let plan;
    try {
      if (!(slo > 0 && slo < 1)) throw new Error(`--slo must be a percentage between 0 and 100, got '${v.slo}'`);
      plan = drillPlan(durationMs, rate, slo);
    } catch (error) {
      return fail((error as Error).message);
    }

    const startedAt = new Date();
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const dir = join('reports', `drill-${stamp}`);
    const out = v.out ?? join(dir, 'drill.json');
    const html = v.html ?? join(dir, 'drill.html');
    try {
      await mkdir(dirname(out), { recursive: true });
      await mkdir(dirname(html), { recursive: true });
      await checkOutputDirectory(out, '--out');
      await checkOutputDirectory(html, '--html');
    } catch (error) {
      return fail((error as Error).message);
    }

    const say = (text: string) => {
      if (!v.quiet) console.log(text);
    };
    const onResult = (r: ScenarioResult) => say(`  ${r.passed ? 'PASS' : 'FAIL'} ${r.scenario}: sent ${r.figures.sent}, P/S/C/D ${servedMix(r)}, lost ${r.figures.lost}${r.passed ? '' : `\n${formatFailures(r)}`}`);
    say(`bulwark drill: ${scenarios.length} scenario(s), ${v.virtual ? `virtual time, seed ${seed}` : 'real time'}, ${durationMs / 1000} s each at ${rate} req/s`);
    const stop = new AbortController();
    const onSigint = () => {
      console.error('\ninterrupted: stopping the scenario in progress (its gateway and mock are shut down)…');
      stop.abort();
    };
    process.once('SIGINT', onSigint);
    let results: ScenarioResult[];
    try {
      results = v.virtual
        ? await runVirtualDrill(scenarios, seed, plan, { onResult, signal: stop.signal })
        : await runRealDrill(scenarios, plan, {
          signal: stop.signal,
          seed,
          logFile: join(dirname(out), 'gateway.log'),
          onStart: (s) => say(`  … ${s.name} (${s.title}), about ${Math.round(durationMs / 1000) + 3} s`),
          onResult,
        });
    } catch (error) {
      console.error(`bulwark drill: the drill could not run: ${(error as Error).message}`);
      return EXIT_FAILED;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    const interrupted = stop.signal.aborted;
    const passed = !interrupted && results.every((r) => r.passed);
    const report: DrillReport = {
      mode: v.virtual ? 'virtual' : 'real',
      seed: v.virtual ? seed : undefined,
      startedAt: startedAt.toISOString(),
      durationMs,
      rate,
      slo,
      passed,
      scenarios: results,
    };
    await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(html, drillReportHtml(report));
    console.log(`\n${formatMatrix(results)}\n`);
    if (interrupted) console.log(`INTERRUPTED after ${results.length} of ${scenarios.length} scenario(s) — reports of those: ${out}, ${html}`);
    else console.log(`${passed ? 'PASSED' : 'FAILED'} — reports: ${out}, ${html}`);
    if (!passed && !interrupted) {
      const failed = results.filter((r) => !r.passed).map((r) => r.scenario).join(' ');
      if (v.virtual) console.log(`replay exactly: bulwark drill --virtual --seed ${seed}${durationMs === DEFAULT_VIRTUAL_DURATION_MS ? '' : ` --duration ${durationMs / 1000}s`}${rate === DEFAULT_VIRTUAL_RATE ? '' : ` --rate ${rate}`} ${failed}`);
      else console.log(`failed: ${failed} (gateway log: ${join(dirname(out), 'gateway.log')})`);
    }
    return passed ? EXIT_OK : EXIT_FAILED;
  },
};

/** `bulwark drill --soak`: runs {@link runSoak}, prints its verdict, writes the JSON report. */
async function soak(duration: string | undefined, rateText: string | undefined, outFile: string | undefined): Promise<number> {
  let durationMs: number;
  try {
    durationMs = duration === undefined ? DEFAULT_SOAK_DURATION_MS : parseDuration(duration, '--duration');
  } catch (error) {
    return fail((error as Error).message);
  }
  const rate = rateText === undefined ? DEFAULT_SOAK_RATE : Number(rateText);
  if (!(rate > 0) || !(durationMs >= 10_000)) return fail(`--soak needs --rate > 0 and --duration >= 10s (got ${rateText ?? rate}, ${duration ?? durationMs})`);
  const dir = join('reports', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const out = outFile ?? join(dir, 'soak.json');
  try {
    await mkdir(dirname(out), { recursive: true });
    await checkOutputDirectory(out, '--out');
  } catch (error) {
    return fail((error as Error).message);
  }
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  console.log(`bulwark drill --soak: ${durationMs / 1000} s at ${rate} req/s, chaos preset on every deployment`);
  let report;
  try {
    report = await runSoak({
      durationMs, rate, signal: stop.signal, logFile: join(dirname(out), 'gateway.log'),
      onSample: (s) => console.log(`  ${(s.atMs / 1000).toFixed(0)} s: sent ${s.sent}, lost ${s.lost}, errors ${s.errors}, RSS ${(s.rssBytes / 1_048_576).toFixed(1)} MiB, fds ${s.openFds}`),
    });
  } catch (error) {
    console.error(`bulwark drill --soak: could not run: ${(error as Error).message}`);
    return EXIT_FAILED;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${formatSoak(report)}\nreport: ${out}`);
  const met = report.lost === 0 && report.rssGrowth < 0.1 && report.fdsEnd <= report.fdsAfterWarmup + 10;
  return met && !stop.signal.aborted ? EXIT_OK : EXIT_FAILED;
}

export default drill;
