// stdout's unfinished line: complete lines pass at once, the rest waits to be claimed as a
// prompt or is passed on after the hold.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { holdPartialLine } from '../../../src/engine/run/partial-line.js';

test('complete lines pass at once; the unfinished rest is held and can be taken as a prompt', () => {
  const shown: string[] = [];
  const line = holdPartialLine((t) => shown.push(t), 10_000);
  line.write('one\ntwo\nEnter');
  line.write(' a number: ');
  assert.deepEqual(shown, ['one\ntwo\n']);
  assert.equal(line.take(), 'Enter a number: ');
  assert.equal(line.take(), '');
  line.write('x');
  line.write('y\nz');
  assert.deepEqual(shown, ['one\ntwo\n', 'xy\n']);
  line.flush();
  assert.deepEqual(shown, ['one\ntwo\n', 'xy\n', 'z']);
});

test('an unclaimed partial line is passed on after the hold', async () => {
  const shown: string[] = [];
  const line = holdPartialLine((t) => shown.push(t), 20);
  line.write('progress: ');
  assert.deepEqual(shown, []);
  await sleep(60);
  assert.deepEqual(shown, ['progress: ']);
});
