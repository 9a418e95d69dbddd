import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../core/errors.js';
import { createRedisClient, resolveConnection } from './redis-connection.js';

describe('resolveConnection', () => {
  it('names the mode and parses "host:port" nodes (IPv6 in brackets)', () => {
    expect(resolveConnection({ url: 'redis://r:6379' })).toMatchObject({ mode: 'standalone', tls: undefined });
    expect(resolveConnection({ url: 'rediss://r:6380' })).toMatchObject({ mode: 'standalone', tls: {} });
    expect(resolveConnection({ sentinel: { masterName: 'm', nodes: ['s0:26379', '[::1]:26380'] } }).sentinel?.nodes)
      .toEqual([{ host: 's0', port: 26379 }, { host: '::1', port: 26380 }]);
    expect(resolveConnection({ cluster: { nodes: ['c0:7000'] } })).toMatchObject({ mode: 'cluster', clusterNodes: [{ host: 'c0', port: 7000 }] });
  });

  it('refuses what cannot work, naming the field and never a password', () => {
    const refused = (options: Parameters<typeof resolveConnection>[0]) => {
      try {
        resolveConnection(options);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionsError);
        return (error as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused({})).toBe('redisState: exactly one of url, sentinel or cluster must be set (got none)');
    expect(refused({ url: 'redis://r', sentinel: { masterName: 'm', nodes: ['s:1'] } })).toMatch(/got url and sentinel/);
    expect(refused({ url: 'http://u:s3cret@r' })).not.toContain('s3cret');
    expect(refused({ url: 'redis://r', password: '' })).toBe('redisState: password must be a non-empty string (not shown)');
    expect(refused({ cluster: { nodes: ['r'] } })).toBe('redisState: cluster.nodes[0] must be "host:port" (got "r")');
    expect(refused({ cluster: { nodes: ['r:70000'] } })).toMatch(/cluster\.nodes\[0\]/);
    expect(refused({ sentinel: { masterName: '', nodes: ['s:1'] } })).toMatch(/sentinel\.masterName/);
    expect(refused({ url: 'redis://r', tls: {} })).toMatch(/use rediss:\/\//);
    expect(refused({ url: 'rediss://r', tls: { caFile: '/nonexistent/ca.pem' } })).toBe('redisState: tls.caFile could not be read (ENOENT: /nonexistent/ca.pem)');
    expect(refused({ url: 'rediss://r', tls: { certFile: '/c.pem' } })).toMatch(/certFile and tls\.keyFile go together/);
  });

  it('reads the TLS files once, into the options Node\'s TLS takes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bulwark-tls-opts-'));
    try {
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, name), `PEM ${name}`);
      const { tls } = resolveConnection({ cluster: { nodes: ['c:1'] }, tls: { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), serverName: 'redis.internal' } });
      expect(String(tls?.ca)).toBe('PEM ca.pem');
      expect(String(tls?.cert)).toBe('PEM cert.pem');
      expect(String(tls?.key)).toBe('PEM key.pem');
      expect(tls?.servername).toBe('redis.internal');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds the client of the mode (not connected: lazy)', () => {
    const behaviour = { connectTimeoutMs: 100, commandTimeoutMs: 50, offlineQueue: false };
    const clients = [
      createRedisClient(resolveConnection({ url: 'redis://127.0.0.1:1' }), behaviour),
      createRedisClient(resolveConnection({ sentinel: { masterName: 'm', nodes: ['127.0.0.1:1'] }, password: 'p' }), behaviour),
      createRedisClient(resolveConnection({ cluster: { nodes: ['127.0.0.1:1'] } }), behaviour),
    ];
    expect(clients[0]).toBeInstanceOf(Redis);
    expect((clients[1] as Redis).options).toMatchObject({ name: 'm', sentinels: [{ host: '127.0.0.1', port: 1 }], password: 'p', enableOfflineQueue: false, commandTimeout: 50 });
    expect(clients[2]).toBeInstanceOf(Cluster);
    for (const client of clients) {
      expect(client.status).toBe('wait');
      client.disconnect();
    }
  });
});
