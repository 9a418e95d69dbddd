import { describe, expect, it } from 'vitest';
import { hashKey, KeyStore, presentedKey } from './auth.js';

describe('gateway keys', () => {
  const store = new KeyStore(
    [{ tenant: 'acme', sha256: hashKey('key-a'), priority: 'high' }, { tenant: 'beta', sha256: hashKey('key-b'), rpm: 10, priority: 'normal' }],
    hashKey('admin'),
  );

  it('hashes keys as sha256 hex', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('finds the grant of a configured key, and nothing for others', () => {
    expect(store.authenticate('key-a')).toMatchObject({ tenant: 'acme', priority: 'high', index: 0 });
    expect(store.authenticate('key-b')).toMatchObject({ tenant: 'beta', rpm: 10, index: 1 });
    expect(store.authenticate('key-c')).toBeUndefined();
    expect(store.authenticate('')).toBeUndefined();
    expect(store.authenticate(undefined)).toBeUndefined();
    expect(store.authenticate(hashKey('key-a'))).toBeUndefined(); // the digest itself is not a key
  });

  it('tells the admin key apart from client keys', () => {
    expect(store.isAdmin('admin')).toBe(true);
    expect(store.isAdmin('key-a')).toBe(false);
    expect(new KeyStore([]).isAdmin('admin')).toBe(false);
    expect(new KeyStore([]).required).toBe(false);
    expect(store.required).toBe(true);
  });

  it('reads Bearer tokens and x-api-key headers', () => {
    expect(presentedKey({ authorization: 'Bearer sk-1' })).toBe('sk-1');
    expect(presentedKey({ authorization: 'bearer  sk-2 ' })).toBe('sk-2');
    expect(presentedKey({ 'x-api-key': 'sk-3', authorization: 'Bearer other' })).toBe('sk-3');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });
});
