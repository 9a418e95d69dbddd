import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Execution, invoke } from './execution.js';

describe('Execution (lazy context)', () => {
  it('a root hands out the caller signal itself', () => {
    const caller = new AbortController();
    expect(Execution.root(undefined, caller.signal).signal).toBe(caller.signal);
  });

  it('links a child to its parent only when read, and unlinks on dispose', () => {
    const caller = new AbortController();
    const child = Execution.root(undefined, caller.signal).child(2);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const signal = child.signal;
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    child.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(signal.aborted).toBe(false);
    expect(child.attempt).toBe(2);
  });

  it('propagates the parent abort to a child signal, with its reason', () => {
    const caller = new AbortController();
    const child = Execution.root(undefined, caller.signal).child().child();
    const signal = child.signal;
    const reason = new Error('stop');
    caller.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('knows it is aborted without allocating, and a late read gives an aborted signal', () => {
    const root = Execution.root();
    const child = root.child();
    const grandchild = child.child();
    child.abort('why');
    expect(grandchild.aborted).toBe(true);
    expect(grandchild.abortReason).toBe('why');
    expect(grandchild.signal.aborted).toBe(true);
    expect(grandchild.signal.reason).toBe('why');
    expect(root.aborted).toBe(false);
  });

  it('invoke turns a sync throw into a rejection', async () => {
    await expect(invoke(() => { throw new Error('x'); }, Execution.root())).rejects.toThrow('x');
    await expect(invoke(() => 3, Execution.root())).resolves.toBe(3);
  });
});

describe('Execution.mayAbort', () => {
  it('is false only when no caller signal and no abortable ancestor exist', () => {
    expect(Execution.root().mayAbort).toBe(false);
    expect(Execution.root().child(1, undefined, false).mayAbort).toBe(false);
    expect(Execution.root().child().mayAbort).toBe(true);
    expect(Execution.root().child().child(1, undefined, false).mayAbort).toBe(true);
    expect(Execution.root(undefined, new AbortController().signal).child(1, undefined, false).mayAbort).toBe(true);
  });
});
