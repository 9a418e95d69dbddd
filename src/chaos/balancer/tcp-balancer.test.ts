import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './replica-set.js';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer.js';

const servers: Server[] = [];
let balancer: TcpBalancer | undefined;
afterEach(async () => {
  await balancer?.close();
  balancer = undefined;
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function replica(name: string, port = 0): Promise<number> {
  const server = createServer((_req, res) => res.end(name));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

// A fresh connection per request, so every request is a balancing decision.
const ask = async (url: string) => (await fetch(url, { headers: { connection: 'close' } })).text();

describe('the local TCP balancer of multi-replica drills', () => {
  it('round-robins connections over the replicas', async () => {
    balancer = await startTcpBalancer({ upstreams: [`127.0.0.1:${await replica('a')}`, `127.0.0.1:${await replica('b')}`] });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(balancer.url));
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(balancer.connections).toEqual([2, 2]);
  });

  it('fails a refused connection over to the next replica: a replica that is down costs the client nothing', async () => {
    const down = await freePort(); // nothing listens there: connections are refused
    balancer = await startTcpBalancer({ upstreams: [`127.0.0.1:${down}`, `127.0.0.1:${await replica('up')}`] });
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await ask(balancer.url));
    expect(answers).toEqual(['up', 'up', 'up', 'up', 'up', 'up']);
    expect(balancer.connections).toEqual([0, 6]);
  });

  it('resets the client when no replica takes connections', async () => {
    balancer = await startTcpBalancer({ upstreams: [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`] });
    await expect(ask(balancer.url)).rejects.toThrow();
  });
});
