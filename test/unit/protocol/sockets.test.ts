// iopub's patient sender: a publisher at its high water mark (EAGAIN under NODROP) is waited
// for, messages keep their order, and a subscriber that reads nothing is given up on (NODROP
// off: its messages dropped, as PUB drops them) until a later look finds it reading again.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { silentLogger } from '../../../src/log.js';
import { patientSender, type NoDropPublisher } from '../../../src/protocol/sockets.js';

/** A publisher that refuses (EAGAIN, with NODROP on) while `full()` says so; keeps what it took. */
function publisher(full: () => boolean): NoDropPublisher & { took: string[]; dropped: string[] } {
  const took: string[] = [];
  const dropped: string[] = [];
  return {
    noDrop: true,
    took,
    dropped,
    async send(frames) {
      const text = frames.map(String).join('');
      if (!full()) took.push(text);
      else if (this.noDrop) throw Object.assign(new Error('full'), { code: 'EAGAIN' });
      else dropped.push(text);
    },
  };
}

const frames = (text: string) => [Buffer.from(text)];

test('a full publisher is waited for; the messages go in order once it has room', async () => {
  let full = true;
  const socket = publisher(() => full);
  const send = patientSender(socket, silentLogger(), 5000);
  const sent = Promise.all(['a', 'b', 'c'].map((t) => send(frames(t))));
  await sleep(30);
  assert.deepEqual(socket.took, []);
  full = false;
  await sent;
  assert.deepEqual(socket.took, ['a', 'b', 'c']);
  assert.equal(socket.noDrop, true);
});

test('a subscriber that reads nothing for stallMs is given up on, then looked at again', async () => {
  let full = true;
  const socket = publisher(() => full);
  const send = patientSender(socket, silentLogger(), 50);
  const started = Date.now();
  await send(frames('a'));
  assert.ok(Date.now() - started >= 50, 'it waited stallMs first');
  assert.deepEqual([socket.dropped, socket.noDrop], [['a'], false]);
  await send(frames('b'));
  assert.deepEqual(socket.dropped, ['a', 'b'], 'given up: dropped at once');
  full = false;
  await sleep(60);
  await send(frames('c'));
  assert.deepEqual([socket.took, socket.noDrop], [['c'], true], 'a look after stallMs finds it reading: NODROP again');
});
