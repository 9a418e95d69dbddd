import { Transform, type TransformCallback } from 'node:stream';
import { type Clock, sleep } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { Toxic } from './toxics.js';

/** What a toxic may do to the connection it runs on. */
export interface ConnectionControls {
  /** TCP RST on the client side, then tear everything down. */
  reset(): void;
  /** Close both sides cleanly. */
  close(): void;
}

/**
 * The toxics of one connection (TCP) or one request (HTTP). Toxics are read live from the
 * proxy's list, so adding or removing one takes effect on connections already open (keep-alive
 * pools included); whether a toxic hits this connection is drawn once, against its toxicity.
 */
export class ToxicConnection {
  private readonly hits = new Map<string, boolean>();
  private readonly timers = new Map<string, unknown>();
  private closed = false;

  constructor(
    private readonly toxics: () => readonly Toxic[],
    private readonly controls: ConnectionControls,
    readonly clock: Clock,
    readonly random: RandomSource,
  ) {
    this.refresh();
  }

  /** The toxics that hit this connection in one direction. */
  active(direction: Toxic['stream']): Toxic[] {
    return this.toxics().filter((t) => t.stream === direction && this.hit(t));
  }

  private hit(toxic: Toxic): boolean {
    let hit = this.hits.get(toxic.name);
    if (hit === undefined) {
      hit = toxic.toxicity >= 1 || this.random() < toxic.toxicity;
      this.hits.set(toxic.name, hit);
    }
    return hit;
  }

  /** Schedules connection-level toxics (timeout, reset_peer); call again whenever the toxic list changes. */
  refresh(): void {
    if (this.closed) return;
    const live = new Set<string>();
    for (const toxic of this.toxics()) {
      if ((toxic.type !== 'timeout' && toxic.type !== 'reset_peer') || !this.hit(toxic)) continue;
      live.add(toxic.name);
      if (this.timers.has(toxic.name)) continue;
      const { timeoutMs } = toxic.attributes;
      if (toxic.type === 'timeout' && timeoutMs === 0) {
        this.timers.set(toxic.name, null); // hang: data is dropped by the streams, nothing closes
        continue;
      }
      this.timers.set(toxic.name, this.clock.setTimeout(() => (toxic.type === 'reset_peer' ? this.reset() : this.close()), timeoutMs));
    }
    for (const [name, handle] of this.timers) {
      if (!live.has(name)) {
        if (handle !== null) this.clock.clearTimeout(handle);
        this.timers.delete(name);
      }
    }
  }

  /** True while a timeout toxic holds this connection (its data is dropped). */
  hanging(): boolean {
    return this.toxics().some((t) => t.type === 'timeout' && this.hit(t));
  }

  reset(): void {
    if (this.dispose()) this.controls.reset();
  }

  close(): void {
    if (this.dispose()) this.controls.close();
  }

  /** Stops timers; returns false if already disposed. */
  dispose(): boolean {
    if (this.closed) return false;
    this.closed = true;
    for (const handle of this.timers.values()) if (handle !== null) this.clock.clearTimeout(handle);
    this.timers.clear();
    return true;
  }
}

/** One direction of a connection, degraded by its data toxics (latency, bandwidth, slicer, limit_data, timeout, slow_close). */
export class ToxicStream extends Transform {
  private passed = 0;

  constructor(
    private readonly connection: ToxicConnection,
    private readonly direction: Toxic['stream'],
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.process(chunk).then(() => callback(), (error: unknown) => callback(error as Error));
  }

  override _flush(callback: TransformCallback): void {
    const slowClose = this.connection.active(this.direction).find((t) => t.type === 'slow_close');
    if (!slowClose || slowClose.type !== 'slow_close') return callback();
    sleep(this.connection.clock, slowClose.attributes.delayMs).then(() => callback());
  }

  private async process(chunk: Buffer): Promise<void> {
    const { clock, random } = this.connection;
    let pieces: Buffer[] = [chunk];
    let sliceDelayMs = 0;
    let closeAfter = false;
    for (const toxic of this.connection.active(this.direction)) {
      switch (toxic.type) {
        case 'timeout':
          return; // the data goes nowhere while the connection hangs
        case 'latency': {
          const { latencyMs, jitterMs } = toxic.attributes;
          await sleep(clock, Math.max(0, latencyMs + jitterMs * (2 * random() - 1)));
          break;
        }
        case 'bandwidth':
          await sleep(clock, (chunk.length / (toxic.attributes.rateKBps * 1024)) * 1000);
          break;
        case 'limit_data': {
          const allowed = toxic.attributes.bytes - this.passed;
          if (allowed <= 0) {
            this.connection.close();
            return;
          }
          if (chunk.length >= allowed) {
            pieces = [chunk.subarray(0, allowed)];
            closeAfter = true;
          }
          break;
        }
        case 'slicer': {
          const { averageSize, sizeVariation, delayMs } = toxic.attributes;
          pieces = pieces.flatMap((piece) => slice(piece, averageSize, sizeVariation, random));
          sliceDelayMs = delayMs;
          break;
        }
        default:
          break; // connection-level or HTTP toxics act elsewhere
      }
    }
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && sliceDelayMs > 0) await sleep(clock, sliceDelayMs);
      this.passed += pieces[i].length;
      this.push(pieces[i]);
    }
    if (closeAfter) {
      // Let the truncated data drain before closing.
      setImmediate(() => this.connection.close());
    }
  }
}

function slice(buffer: Buffer, averageSize: number, variation: number, random: RandomSource): Buffer[] {
  const out: Buffer[] = [];
  for (let offset = 0; offset < buffer.length;) {
    const size = Math.max(1, Math.round(averageSize + variation * (2 * random() - 1)));
    out.push(buffer.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}
