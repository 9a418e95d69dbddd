/**
 * Throughput of the streaming hot path: SSE parsing + OpenAI/Anthropic decoding, and encoding.
 * Run: node --import tsx src/llm/sse.bench.ts
 */
import { AnthropicStreamDecoder, AnthropicStreamEncoder } from './dialects/anthropic.js';
import { OpenAIStreamDecoder, OpenAIStreamEncoder } from './dialects/openai.js';
import { SseParser } from './sse.js';
import type { StreamEvent } from './types.js';

const TOKENS = 20_000;
const events: StreamEvent[] = [{ type: 'start', id: 'chatcmpl-1', model: 'gpt-4o' }];
for (let i = 0; i < TOKENS; i++) events.push({ type: 'text', text: ` token${i % 100}` });
events.push({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 10, outputTokens: TOKENS } });

function time(label: string, rounds: number, bytesPerRound: number, run: () => number): void {
  run(); // warm up
  const start = process.hrtime.bigint();
  let count = 0;
  for (let i = 0; i < rounds; i++) count += run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label}: ${Math.round(count / seconds).toLocaleString('en')} events/s, ${(bytesPerRound * rounds / seconds / 1e6).toFixed(1)} MB/s`);
}

for (const dialect of ['openai', 'anthropic'] as const) {
  const encoder = dialect === 'openai' ? new OpenAIStreamEncoder({ created: 1, includeUsage: true }) : new AnthropicStreamEncoder();
  const wire = Buffer.from(events.map((e) => encoder.encode(e)).join(''));
  time(`${dialect} encode`, 10, wire.length, () => {
    const enc = dialect === 'openai' ? new OpenAIStreamEncoder({ created: 1, includeUsage: true }) : new AnthropicStreamEncoder();
    for (const e of events) enc.encode(e);
    return events.length;
  });
  time(`${dialect} parse+decode (1 KiB chunks)`, 10, wire.length, () => {
    const parser = new SseParser();
    const openai = new OpenAIStreamDecoder();
    const anthropic = new AnthropicStreamDecoder();
    let n = 0;
    for (let i = 0; i < wire.length; i += 1024) {
      for (const e of parser.feed(wire.subarray(i, i + 1024))) {
        n += (dialect === 'openai' ? openai.decode(e.data) : anthropic.decode(e.event, e.data)).length;
      }
    }
    return n;
  });
}
