// The flooding tenant of test/gateway/tenant-isolation.test.ts, in a process of its own so its
// clients do not take CPU from the event loop that serves and times the other tenant.
//   node flood-client.mjs <gateway url> <key> <clients>
// stdin, one command a line: `on` (flood; answers `flooding` once a request was refused, so the
// quota, or without one the deployment, is known to be full), `off` (stop; answers `idle` once
// no request is in flight), `end` (prints `result <json>`: answers by status and the first 429,
// then exits).
import { createInterface } from 'node:readline';

const [url, key, clients] = process.argv.slice(2);
const byStatus = {};
let firstRefusal;
let on = false;
/** Bumped by every `on`: a client of an earlier round, asleep after a refusal, does not come back. */
let round = 0;
let inFlight = 0;
let reportFlooding = false;
let reportIdle = false;

async function ask(text) {
  inFlight++;
  try {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gpt-4', max_tokens: 50, messages: [{ role: 'user', content: text }] }),
    });
    const body = await res.text();
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    if (res.status !== 200) {
      if (res.status === 429) firstRefusal ??= { retryAfter: res.headers.get('retry-after'), body };
      if (reportFlooding) {
        reportFlooding = false;
        process.stdout.write('flooding\n');
      }
    }
    return res.status;
  } catch (error) {
    byStatus[error.name] = (byStatus[error.name] ?? 0) + 1;
    return 0;
  } finally {
    inFlight--;
    if (reportIdle && inFlight === 0) {
      reportIdle = false;
      process.stdout.write('idle\n');
    }
  }
}

/** One client: sends while the flood is on; a refused one tries again 100 ms later, not after its Retry-After. */
async function client(c, mine) {
  for (let i = 0; on && round === mine; i++) {
    if ((await ask(`flood ${c} ${i}`)) !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'on') {
    on = true;
    round++;
    reportFlooding = true;
    for (let c = 0; c < Number(clients); c++) void client(c, round);
  } else if (line === 'off') {
    on = false;
    if (inFlight === 0) process.stdout.write('idle\n');
    else reportIdle = true;
  } else if (line === 'end') {
    process.stdout.write(`result ${JSON.stringify({ byStatus, firstRefusal })}\n`);
    process.exit(0);
  }
});
