import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisLink } from '../../src/state/redis-link.js';
import { redisStateContracts } from '../../src/state/redis-state.contract.js';
import type { StateStatusEvent } from '../../src/state/state-status.js';
import { directClient, makeCertificates, PORTS, RedisServer, type TestCertificates } from './servers.js';

// Redis as operators lock it down: an ACL user with a password and only the rights Bulwark needs
// (the line docs/scale-out.md recommends), and TLS with a private CA and client certificates.
// Every shared-state contract suite runs through each.
const PASSWORD = 'acl-pass-7f3c9e';
const TLS_PASSWORD = 'tls-pass-2b81d4';
// Test prefixes start with "bulwark-test:"; production ones with "bulwark:" (docs/scale-out.md).
const ACL_RULES = ['on', `>${PASSWORD}`, '~bulwark-test:*', 'resetchannels', '&bulwark-test:*', '-@all', '+@read', '+@write', '+@scripting', '+@pubsub', '+@connection', '+@transaction', '-@dangerous', '+info', '+time'];

let acl: RedisServer | undefined;
let tls: RedisServer | undefined;
let certs: TestCertificates | undefined;

beforeAll(async () => {
  certs = await makeCertificates();
  acl = await RedisServer.start(PORTS.auth.acl, []);
  const admin = await directClient(PORTS.auth.acl);
  await admin.call('ACL', 'SETUSER', 'bulwark', ...ACL_RULES);
  await admin.call('ACL', 'SETUSER', 'default', 'off'); // nobody gets in without a user and password
  admin.disconnect();
  tls = await RedisServer.start(PORTS.auth.tls, [
    '--port', '0', '--tls-port', String(PORTS.auth.tls),
    '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile, '--tls-ca-cert-file', certs.caFile,
    '--tls-auth-clients', 'yes', '--requirepass', TLS_PASSWORD,
  ]);
}, 60_000);

afterAll(async () => {
  await acl?.stop();
  await tls?.stop();
  await certs?.close();
});

const aclServer = () => ({ url: `redis://127.0.0.1:${PORTS.auth.acl}`, username: 'bulwark', password: PASSWORD });
const tlsServer = () => ({
  url: `rediss://127.0.0.1:${PORTS.auth.tls}`, password: TLS_PASSWORD,
  tls: { caFile: certs!.caFile, certFile: certs!.certFile, keyFile: certs!.keyFile },
});

redisStateContracts('ACL user + password', aclServer);
redisStateContracts('TLS (private CA, client certificate) + password', tlsServer);

/** Opens a link, records its status events, and closes it. */
async function attempt(options: Parameters<typeof RedisLink.connect>[0], connectTimeoutMs = 1_500): Promise<{ up: boolean; events: StateStatusEvent[] }> {
  const link = await RedisLink.connect({ connectTimeoutMs, ...options });
  const events: StateStatusEvent[] = [];
  link.onStatus((e) => events.push(e));
  const up = link.isUp;
  await link.close();
  return { up, events };
}

describe('credentials and certificates that do not fit', () => {
  it('the same link is refused with a wrong password, as the default user, and with the URL credentials form too', async () => {
    // Those that must get in may take their time on a loaded machine (connect returns once up).
    expect((await attempt(aclServer(), 10_000)).up).toBe(true);
    expect((await attempt({ url: `redis://bulwark:${PASSWORD}@127.0.0.1:${PORTS.auth.acl}` }, 10_000)).up).toBe(true);
    expect((await attempt({ ...aclServer(), password: 'wrong' })).up).toBe(false);
    expect((await attempt({ url: `redis://127.0.0.1:${PORTS.auth.acl}` })).up).toBe(false);
  });

  it('TLS: refused without the private CA, without a client certificate, or over plain TCP; the status reason never holds the password', async () => {
    const reasons: string[] = [];
    const noCa = await RedisLink.connect({ url: `rediss://127.0.0.1:${PORTS.auth.tls}`, password: TLS_PASSWORD, connectTimeoutMs: 1_500 });
    expect(noCa.isUp).toBe(false);
    await noCa.close();
    const noClientCert = await attempt({ ...tlsServer(), tls: { caFile: certs!.caFile } });
    expect(noClientCert.up).toBe(false);
    const plain = await attempt({ url: `redis://127.0.0.1:${PORTS.auth.tls}`, password: TLS_PASSWORD });
    expect(plain.up).toBe(false);
    for (const e of [...noClientCert.events, ...plain.events]) reasons.push(e.reason);
    expect(reasons.join(' ')).not.toContain(TLS_PASSWORD);
  });

  it('a refused TLS handshake never becomes an uncaught exception (ioredis listens for a socket\'s first error only)', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      for (let i = 0; i < 20; i++) {
        for (const tls of [undefined, { caFile: certs!.caFile }]) {
          const link = await RedisLink.connect({ url: `rediss://127.0.0.1:${PORTS.auth.tls}`, password: TLS_PASSWORD, ...(tls ? { tls } : {}), connectTimeoutMs: 300, recoveryCheckIntervalMs: 50 });
          await new Promise((r) => setTimeout(r, 100 + (i % 3) * 150)); // retries run meanwhile
          await link.close();
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught.map(String)).toEqual([]);
  }, 60_000);

  it('the ACL leaves other prefixes out of reach: the user cannot read keys outside bulwark-test:*', async () => {
    const user = await directClient(PORTS.auth.acl, { username: 'bulwark', password: PASSWORD });
    await expect(user.get('someone-else:key')).rejects.toThrow(/NOPERM/);
    await expect(user.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    user.disconnect();
  });
});
