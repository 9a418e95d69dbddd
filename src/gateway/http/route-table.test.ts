import { describe, expect, it } from 'vitest';
import { RouteTable } from './route-table.js';

const handler = () => undefined;

describe('RouteTable', () => {
  it('matches exact paths and prefixes, tells 404 from 405', () => {
    const table = new RouteTable();
    table.add({ method: 'POST', path: '/v1/chat/completions', auth: 'client', handler });
    table.add({ method: 'GET', path: '/admin/*', auth: 'admin', handler });
    expect(table.match('POST', '/v1/chat/completions').kind).toBe('found');
    expect(table.match('GET', '/admin/breakers/x').kind).toBe('found');
    expect(table.match('HEAD', '/admin/x').kind).toBe('found');
    expect(table.match('GET', '/v1/chat/completions')).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
    expect(table.match('GET', '/nope').kind).toBe('not-found');
  });

  it('refuses duplicates unless asked to replace (ops replaces /readyz)', () => {
    const table = new RouteTable();
    table.add({ method: 'GET', path: '/readyz', auth: 'none', handler });
    expect(() => table.add({ method: 'GET', path: '/readyz', auth: 'none', handler })).toThrow(/defined twice/);
    const replacement = () => undefined;
    table.add({ method: 'GET', path: '/readyz', auth: 'none', handler: replacement }, { replace: true });
    const match = table.match('GET', '/readyz');
    expect(match.kind === 'found' && match.route.handler).toBe(replacement);
    expect(table.list()).toContainEqual({ method: 'GET', path: '/readyz', auth: 'none' });
  });
});
