import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startTestGateway, testConfigYaml } from './helpers.js';

let gateway: Gateway | undefined;
let blackhole: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  await gateway?.shutdown(1000);
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => (blackhole ? blackhole.close(() => resolve()) : resolve()));
  gateway = blackhole = undefined;
});

describe('shared state unreachable', () => {
  it('keeps answering on local state and raises dependency_down (alert + metric)', async () => {
    // A port that accepts connections and never speaks Redis: every command times out.
    blackhole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => blackhole!.listen(0, '127.0.0.1', resolve));
    const port = (blackhole.address() as AddressInfo).port;
    gateway = await startTestGateway(testConfigYaml(`state: { redis: { url: "redis://127.0.0.1:${port}" } }\nalerts: { evaluateEvery: 100ms, sinks: [] }`));

    const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4', messages: [{ role: 'user', content: 'still there?' }] }),
    });
    expect(answer.status).toBe(200);

    let active: Array<{ id: string; summary: string }> = [];
    for (let i = 0; i < 100 && !active.some((a) => a.id === 'dependency_down:redis'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      active = ((await (await fetch(`${gateway.url}/admin/alerts`)).json()) as { active: typeof active }).active;
    }
    expect(active.find((a) => a.id === 'dependency_down:redis')?.summary).toMatch(/redis is unreachable/);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toMatch(/bulwark_dependency_up\{dependency="redis"\} 0/);
  });
});
