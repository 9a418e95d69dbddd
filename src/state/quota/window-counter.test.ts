import { FakeClock } from '../../core/fake-clock.js';
import { TestLinks } from '../test-support.js';
import { MemoryWindowCounter } from './memory-window-counter.js';
import { RedisWindowCounter } from './redis-window-counter.js';
import { windowCounterContract } from './window-counter.contract.js';

windowCounterContract('memory', () => {
  const clock = new FakeClock(Date.now());
  const counter = new MemoryWindowCounter({ clock });
  return { a: counter, b: counter, clock, close: () => {} };
});

windowCounterContract('redis', async () => {
  const clock = new FakeClock(Date.now());
  const links = new TestLinks();
  return { a: new RedisWindowCounter(await links.open(), { clock }), b: new RedisWindowCounter(await links.open(), { clock }), clock, close: () => links.close() };
});
