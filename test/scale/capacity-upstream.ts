import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible upstream with a real capacity: `slots` requests are served at once, each
 * taking `serviceMs`; the rest wait in a FIFO queue, as on an overloaded model server — so
 * latency grows with offered load instead of staying flat (what the mock provider does).
 */
export class CapacityUpstream {
  private busy = 0;
  private readonly queue: Array<() => void> = [];
  private served = 0;
  private maxQueued = 0;
  /** Each served request's time in the upstream (queue + service), in ms, since the last {@link takeTimes}. */
  private times: number[] = [];
  /** For each request since the last {@link takeQueuedAhead}: how many were waiting ahead of it when it arrived. */
  private queuedAhead: number[] = [];

  private constructor(readonly server: Server, readonly slots: number, readonly serviceMs: number) {}

  static async start(slots: number, serviceMs: number): Promise<CapacityUpstream> {
    const server = createServer();
    const upstream = new CapacityUpstream(server, slots, serviceMs);
    server.on('request', (req, res) => upstream.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests served so far and the longest queue seen. */
  stats(): { served: number; maxQueued: number } {
    return { served: this.served, maxQueued: this.maxQueued };
  }

  /** The upstream-side latencies (queue + service, ms) of the requests served since the last call. */
  takeTimes(): number[] {
    const times = this.times;
    this.times = [];
    return times;
  }

  /**
   * How many requests were already waiting (not being served) when each request since the last
   * call arrived. A count, not a time: with a fixed service time, a request that finds fewer than
   * `slots` waiting ahead of it waits at most one service time, however slow the machine is.
   */
  takeQueuedAhead(): number[] {
    const queued = this.queuedAhead;
    this.queuedAhead = [];
    return queued;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.on('end', () => {
      const arrived = performance.now();
      this.queuedAhead.push(this.busy < this.slots ? 0 : this.queue.length);
      if (this.busy < this.slots) this.serve(res, arrived);
      else {
        this.queue.push(() => this.serve(res, arrived));
        this.maxQueued = Math.max(this.maxQueued, this.queue.length);
      }
    });
  }

  private serve(res: ServerResponse, arrived: number): void {
    this.busy++;
    setTimeout(() => {
      this.busy--;
      this.served++;
      this.times.push(performance.now() - arrived);
      if (!res.destroyed) {
        const body = JSON.stringify({
          id: `cmpl-${this.served}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
        });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }
      this.queue.shift()?.();
    }, this.serviceMs);
  }
}
