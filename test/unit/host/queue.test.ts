import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJobQueue } from '../../../src/host/queue.js';

test('jobs beyond the limit wait in order and hear their positions', async () => {
  const queue = createJobQueue(1);
  const heard: Record<string, number[]> = { b: [], c: [] };
  const a = await queue.acquire(new AbortController().signal, () => assert.fail('a never waits'));
  const b = queue.acquire(new AbortController().signal, (p) => heard.b.push(p));
  const c = queue.acquire(new AbortController().signal, (p) => heard.c.push(p));
  assert.deepEqual([queue.running, queue.waiting], [1, 2]);
  a.release();
  a.release(); // twice is once
  const slotB = await b;
  assert.deepEqual(heard, { b: [1], c: [2, 1] });
  assert.deepEqual([queue.running, queue.waiting], [1, 1]);
  slotB.release();
  (await c).release();
  assert.deepEqual([queue.running, queue.waiting], [0, 0]);
});

test('a waiter that is cancelled leaves the queue; the others move up', async () => {
  const queue = createJobQueue(1);
  const a = await queue.acquire(new AbortController().signal, () => undefined);
  const cancel = new AbortController();
  const heard: number[] = [];
  const b = queue.acquire(cancel.signal, () => undefined);
  const c = queue.acquire(new AbortController().signal, (p) => heard.push(p));
  cancel.abort(new Error('client went away'));
  await assert.rejects(b, /client went away/);
  assert.deepEqual(heard, [2, 1]);
  a.release();
  (await c).release();
  assert.equal(queue.running, 0);
});
