import { FakeClock } from '../../core/fake-clock.js';
import { TestLinks } from '../test-support.js';
import { alertLedgerContract } from './alert-ledger.contract.js';
import { MemoryAlertLedger } from './memory-alert-ledger.js';
import { RedisAlertLedger } from './redis-alert-ledger.js';

// Virtual time starts at the real time so Redis' own TTLs (real time) never cut a test short.
alertLedgerContract('memory', () => {
  const clock = new FakeClock(Date.now());
  const ledger = new MemoryAlertLedger({ clock });
  return { a: ledger, b: ledger, clock, close: () => {} };
});

alertLedgerContract('redis', async () => {
  const clock = new FakeClock(Date.now());
  const links = new TestLinks();
  return { a: new RedisAlertLedger(await links.open(), { clock }), b: new RedisAlertLedger(await links.open(), { clock }), clock, close: () => links.close() };
});
