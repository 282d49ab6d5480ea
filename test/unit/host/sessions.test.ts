import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { HostSessions } from '../../../src/host/sessions.js';
import { silentLogger } from '../../../src/log.js';
import type { Session } from '../../../src/session/session.js';

/** A stand-in for a Session: the table only ever closes it. */
function fakeSession(closed: string[], name: string): Session {
  return { close: async () => void closed.push(name) } as unknown as Session;
}

const table = (max = 2, idleS = 0) => new HostSessions({ max, idleS, log: silentLogger() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('sessions past the limit are refused until one ends; a kernel expecting a gone session hears why', async () => {
  const closed: string[] = [];
  const sessions = table(2);
  assert.equal(
    sessions.open('a', false, () => fakeSession(closed, 'a')),
    undefined,
  );
  assert.equal(
    sessions.open('a', true, () => assert.fail('open already')),
    undefined,
  );
  assert.equal(
    sessions.open('b', false, () => fakeSession(closed, 'b')),
    undefined,
  );
  const refused = sessions.open('c', false, () => assert.fail('over the limit'));
  assert.equal(refused?.code, grpc.status.RESOURCE_EXHAUSTED);
  assert.match(refused.details, /limit of 2 sessions \(--max-sessions\); one ends when its kernel shuts down$/);
  assert.equal(await sessions.end('a', 'its kernel ended it'), true);
  assert.equal(await sessions.end('a', 'again'), false);
  assert.deepEqual(closed, ['a']);
  assert.deepEqual(
    sessions.open('a', true, () => assert.fail('gone')),
    { code: grpc.status.NOT_FOUND, details: 'its kernel ended it' },
  );
  assert.match(sessions.open('never', true, () => assert.fail('unknown'))!.details, /no record of it: it was restarted since/);
  assert.equal(
    sessions.open('c', false, () => fakeSession(closed, 'c')),
    undefined,
  );
  await sessions.endAll('the host stopped');
  assert.deepEqual(closed.sort(), ['a', 'b', 'c']);
  assert.equal(sessions.size, 0);
});

test("one session's calls run one after another; an ended session's waiting calls do not run", async () => {
  const sessions = table();
  sessions.open('s', false, () => fakeSession([], 's'));
  const order: string[] = [];
  const slow = sessions.use('s', new AbortController(), async () => {
    order.push('first starts');
    await sleep(30);
    order.push('first ends');
    return 1;
  });
  const next = sessions.use('s', new AbortController(), async () => {
    order.push('second');
    return 2;
  });
  assert.deepEqual(await Promise.all([slow, next]), [1, 2]);
  assert.deepEqual(order, ['first starts', 'first ends', 'second']);

  const running = new AbortController();
  const held = sessions.use('s', running, async () => {
    await new Promise((resolve) => running.signal.addEventListener('abort', resolve));
    return 'aborted';
  });
  const waiting = sessions.use('s', new AbortController(), async () => assert.fail('must not run after the end'));
  await sleep(5);
  await sessions.end('s', 'its kernel ended it');
  assert.deepEqual(await Promise.all([held, waiting]), ['aborted', 'gone']);
  assert.equal(await sessions.use('s', new AbortController(), async () => 'ran'), 'gone');
});

test('a session idle past the limit ends; the clock waits while a call runs', async () => {
  const closed: string[] = [];
  const sessions = table(2, 0.3);
  sessions.open('s', false, () => fakeSession(closed, 's'));
  await sessions.use('s', new AbortController(), () => sleep(450));
  assert.deepEqual(closed, [], 'a call longer than the limit is not idleness');
  await sleep(150);
  sessions.peek('s'); // describe counts as use
  await sleep(200);
  assert.deepEqual(closed, [], 'the clock started again at the look');
  await sleep(250);
  assert.deepEqual(closed, ['s']);
  assert.match(sessions.open('s', true, () => assert.fail('gone'))!.details, /^it ran no cell for 0.3 s \(the host's --session-idle\)$/);
});

test('a dropped hold ends its session; a replaced hold does not, and an ended session releases its hold', async () => {
  const closed: string[] = [];
  const sessions = table();
  const released: string[] = [];
  sessions.open('s', false, () => fakeSession(closed, 's'));
  const goneOld = sessions.hold('s', () => released.push('old'));
  const goneNew = sessions.hold('s', () => released.push('new'));
  assert.deepEqual(released, ['old'], 'a newer hold replaces the older one');
  goneOld();
  await sleep(5);
  assert.deepEqual(closed, [], 'the replaced hold going away ends nothing');
  goneNew();
  await sleep(5);
  assert.deepEqual(closed, ['s']);
  assert.match(sessions.open('s', true, () => assert.fail('gone'))!.details, /the kernel that held it went away/);

  sessions.open('t', false, () => fakeSession(closed, 't'));
  sessions.hold('t', () => released.push('t'));
  await sessions.end('t', 'its kernel ended it');
  assert.deepEqual(released, ['old', 't']);
});
