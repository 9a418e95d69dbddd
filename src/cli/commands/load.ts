import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseDuration } from '../../core/duration.js';
import { BulwarkError } from '../../core/errors.js';
import { httpChatSender } from '../../chaos/load/http-sender.js';
import { progressBar } from '../../chaos/load/progress.js';
import { loadReportHtml } from '../../chaos/load/report-html.js';
import { type LoadModel, type LoadSummary, runLoad } from '../../chaos/load/runner.js';
import { parseStages } from '../../chaos/load/schedule.js';
import { parseThresholdArgument } from '../../chaos/load/thresholds.js';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.js';
import { checkOutputDirectory } from './output-path.js';
import { paidLoadRefusal } from '../../gateway/cli/paid-providers.js';

const DEFAULT_URL = 'http://127.0.0.1:4000';

const USAGE = `Usage: bulwark load [options]

Sends chat requests to a gateway (or any OpenAI/Anthropic-compatible server) and reports
latency from the intended send time (so a stalling server cannot hide: no coordinated omission).

Load model (pick one):
  --rate N               open model: N requests/s, whatever the server does (default 10)
  --stages LIST          open model, ramping: "10s:50,30s:200,10s:0" (duration:target rate)
  --concurrency N        closed model: N workers, each sends when its last request ends

Options:
  --url URL              target base URL (default http://127.0.0.1:4000)
  --allow-paid           load the default local gateway although OPENAI_API_KEY/ANTHROPIC_API_KEY
                         are set (it would be routing to the real, paid providers); without it
                         that run is refused (exit 2). Also BULWARK_ALLOW_PAID=1.
  --dialect D            openai (default) or anthropic
  --model NAME           model/route name (default gpt-4, or claude-sonnet for anthropic)
  --stream               streaming requests (time to first token is measured)
  --duration D           run length, e.g. 30s (default 10s)
  --requests N           stop after N requests
  --timeout D            per-request timeout (default 60s)
  --api-key KEY          gateway key (default: env BULWARK_API_KEY)
  --prompt TEXT          prompt; {i} is replaced by the request number
  --header K:V           extra request header (repeatable)
  --threshold M=EXPR     k6-style threshold deciding the exit code (repeatable), e.g.
                         --threshold 'http_req_duration=p(95)<500' --threshold 'http_req_failed=rate<0.01'
                         metrics: http_req_duration, time_to_first_token, http_req_failed, http_reqs, degraded
  --out FILE             write the JSON summary
  --html FILE            write the HTML report
  --quiet                no progress bar or table

Exit codes: 0 all thresholds held, 1 a threshold failed, every request failed, or the run was interrupted (Ctrl-C), 2 usage error.`;

const load: Command = {
  name: 'load',
  summary: 'Load-test a gateway: open/closed models, HDR latency, k6-style thresholds, reports',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          url: { type: 'string' },
          'allow-paid': { type: 'boolean', default: false },
          dialect: { type: 'string', default: 'openai' },
          model: { type: 'string' },
          stream: { type: 'boolean', default: false },
          rate: { type: 'string' },
          stages: { type: 'string' },
          concurrency: { type: 'string' },
          duration: { type: 'string', default: '10s' },
          requests: { type: 'string' },
          timeout: { type: 'string', default: '60s' },
          'api-key': { type: 'string' },
          prompt: { type: 'string' },
          header: { type: 'string', multiple: true, default: [] },
          threshold: { type: 'string', multiple: true, default: [] },
          out: { type: 'string' },
          html: { type: 'string' },
          quiet: { type: 'boolean', default: false },
        },
        allowPositionals: false,
      });
    } catch (error) {
      console.error(`bulwark load: ${(error as Error).message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    const v = { ...parsed.values, url: parsed.values.url ?? DEFAULT_URL };
    let model: LoadModel;
    let thresholds;
    let durationMs: number;
    let timeoutMs: number;
    let maxRequests: number | undefined;
    const headers: Record<string, string> = {};
    try {
      if (v.dialect !== 'openai' && v.dialect !== 'anthropic') throw new Error(`--dialect: expected openai or anthropic, got '${v.dialect}'`);
      if (v.concurrency !== undefined && (v.rate !== undefined || v.stages !== undefined)) throw new Error('--concurrency (closed model) cannot be combined with --rate/--stages (open model)');
      durationMs = positiveDuration(v.duration!, '--duration');
      timeoutMs = positiveDuration(v.timeout!, '--timeout');
      maxRequests = v.requests === undefined ? undefined : positiveInteger(v.requests, '--requests');
      if (v.concurrency !== undefined) model = { kind: 'closed', concurrency: positive(v.concurrency, '--concurrency') };
      else model = { kind: 'open', rate: v.rate !== undefined ? positive(v.rate, '--rate') : v.stages ? 0 : 10, stages: v.stages ? parseStages(v.stages, parseDuration) : undefined };
      thresholds = v.threshold!.map(parseThresholdArgument);
      for (const h of v.header!) {
        const i = h.indexOf(':');
        if (i <= 0) throw new Error(`--header: expected 'name: value', got '${h}'`);
        headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
      }
      checkUrl(v.url!);
      // The tour's load step (no --url: the local gateway of `npm start`) stays on the mock unless asked.
      if (parsed.values.url === undefined && !v['allow-paid']) {
        const requests = maxRequests !== undefined ? `${maxRequests} requests` : model.kind === 'open' && model.rate > 0 ? `about ${Math.round((model.rate * durationMs) / 1000)} requests` : 'requests';
        const refusal = paidLoadRefusal(process.env, requests);
        if (refusal) throw new Error(refusal);
      }
      for (const [option, file] of [['--out', v.out], ['--html', v.html]] as const) if (file !== undefined) await checkOutputDirectory(file, option);
    } catch (error) {
      console.error(`bulwark load: ${error instanceof BulwarkError || error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE;
    }

    const sender = httpChatSender({
      url: v.url!, dialect: v.dialect as 'openai' | 'anthropic', model: v.model, stream: v.stream,
      apiKey: v['api-key'] ?? process.env.BULWARK_API_KEY, prompt: v.prompt, headers,
    });
    const bar = progressBar();
    const stop = new AbortController();
    const onSigint = () => {
      console.error('\ninterrupted: stopping the load (requests in flight are cancelled and not counted)…');
      stop.abort();
    };
    process.once('SIGINT', onSigint);
    let summary: LoadSummary;
    try {
      summary = await runLoad(sender, {
        model, durationMs, thresholds, requestTimeoutMs: timeoutMs, signal: stop.signal,
        maxRequests,
        onProgress: v.quiet ? undefined : (p) => bar.update(p),
      });
    } finally {
      bar.done();
      process.removeListener('SIGINT', onSigint);
      await sender.close();
    }
    if (v.out) await writeFile(v.out, JSON.stringify(summary, null, 2));
    if (v.html) await writeFile(v.html, loadReportHtml(summary));
    if (!v.quiet) printSummary(summary);
    if (summary.interrupted) console.error(`interrupted after ${(summary.durationMs / 1000).toFixed(1)} s: the figures cover ${summary.requests} finished requests`);
    // A run where nothing succeeded measured nothing: it fails whatever the thresholds say.
    const nothingServed = !summary.interrupted && summary.errors === summary.requests;
    if (nothingServed) console.error(`bulwark load: every request failed (${summary.requests} of ${summary.requests}): the target did not serve the load`);
    return summary.passed && !summary.interrupted && !nothingServed ? EXIT_OK : EXIT_FAILED;
  },
};

function positive(text: string, field: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${field}: expected a positive number, got '${text}'`);
  return value;
}

function positiveInteger(text: string, field: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${field}: expected a positive integer, got '${text}'`);
  return value;
}

function positiveDuration(text: string, field: string): number {
  const ms = parseDuration(text, field);
  if (!(ms > 0)) throw new Error(`${field}: expected more than 0 ms, got '${text}'`);
  return ms;
}

function checkUrl(text: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`--url: expected an http:// or https:// URL, got '${text}'`);
}

function printSummary(s: LoadSummary): void {
  const l = s.latency;
  console.log(`requests ${s.requests}  errors ${s.errors} (${(s.errorRate * 100).toFixed(2)}%)  throughput ${s.throughputRps.toFixed(1)} req/s  duration ${(s.durationMs / 1000).toFixed(1)}s`);
  console.log(`latency ms (from intended send)  avg ${l.avgMs}  p50 ${l.medMs}  p90 ${l.p90Ms}  p95 ${l.p95Ms}  p99 ${l.p99Ms}  max ${l.maxMs}`);
  if (s.ttft) console.log(`time to first token ms  p50 ${s.ttft.medMs}  p95 ${s.ttft.p95Ms}  p99 ${s.ttft.p99Ms}`);
  console.log(`served by  ${Object.entries(s.servedBy).map(([k, n]) => `${k}=${n}`).join('  ')}`);
  if (s.errors > 0) console.log(`errors by kind  ${Object.entries(s.errorsByKind).map(([k, n]) => `${k}=${n}`).join('  ')}`);
  for (const t of s.thresholds) console.log(`${t.ok ? '✓' : '✗'} ${t.source}  (observed ${Number.isFinite(t.observed) ? t.observed.toFixed(3) : 'no data'})`);
}

export default load;
