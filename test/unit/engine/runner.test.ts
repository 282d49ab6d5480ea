// The runner against tiny fixture programs (sh one-liners): exits, signals, limits, interrupts,
// and UTF-8 that arrives split across chunks.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { decodeStream, describeSignal, runProgram, type TimeLimit } from '../../../src/engine/run/runner.js';
import { programLimits, loadSettings } from '../../../src/settings/settings.js';
import { fakeContext, fakeReaper } from '../../support/fakes.js';

/** Runs `sh -c script`; answers the outcome, what it printed, and the reaper. */
async function runSh(script: string, options: { limit?: TimeLimit; abortAfterMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  const { ctx, sink, abort } = fakeContext();
  const reaper = fakeReaper();
  if (options.abortAfterMs !== undefined) setTimeout(() => abort.abort(), options.abortAfterMs);
  const outcome = await runProgram({
    binary: '/bin/sh',
    args: ['-c', script],
    env: options.env ?? { PATH: process.env.PATH },
    cwd: process.cwd(),
    limit: options.limit,
    limits: programLimits(loadSettings({})),
    signal: ctx.signal,
    output: sink,
    reaper,
  });
  return { outcome, sink, reaper };
}

describe('decodeStream', () => {
  test('a character split across chunks arrives whole; invalid bytes become U+FFFD', async () => {
    const bytes = Buffer.from('héllo → ✓ 🚀\n');
    const chunks = [...bytes].map((b) => Buffer.from([b])); // one byte at a time
    let text = '';
    await decodeStream(Readable.from(chunks), (t) => (text += t));
    assert.equal(text, 'héllo → ✓ 🚀\n');
    let bad = '';
    await decodeStream(Readable.from([Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x86])]), (t) => (bad += t));
    assert.equal(bad, 'a\uFFFDb\uFFFD');
  });
});

describe('runProgram', () => {
  test('exit 0 is ok; stdout and stderr stream separately and completely', async () => {
    const { outcome, sink, reaper } = await runSh('printf "out\\n"; printf "err\\n" >&2; printf "no newline"');
    assert.deepEqual(outcome, { status: 'ok' });
    assert.equal(sink.text('stdout'), 'out\nno newline');
    assert.equal(sink.text('stderr'), 'err\n');
    assert.equal(reaper.seen.length, 1);
    assert.equal(reaper.live.size, 0, 'the group is untracked at its end');
  });

  test('a non-zero exit is a RuntimeError', async () => {
    const { outcome } = await runSh('exit 3');
    assert.equal(outcome.status, 'error');
    assert.deepEqual(outcome.status === 'error' && [outcome.ename, outcome.evalue], ['RuntimeError', 'exited with code 3']);
  });

  test('death by a signal is named', async () => {
    const { outcome } = await runSh('kill -SEGV $$');
    assert.equal(outcome.status === 'error' && outcome.evalue, 'killed by SIGSEGV (segmentation fault)');
    assert.equal(describeSignal('SIGABRT'), 'killed by SIGABRT (aborted)');
    assert.equal(describeSignal('SIGRTMIN'), 'killed by SIGRTMIN');
  });

  test('a time limit kills the whole group and says which limit', async () => {
    const started = Date.now();
    const { outcome } = await runSh('sleep 30 & sleep 30', { limit: { seconds: 0.3, source: '%timeout 0.3' } });
    assert.ok(Date.now() - started < 5000);
    assert.equal(outcome.status === 'error' && outcome.ename, 'TimeoutError');
    assert.equal(outcome.status === 'error' && outcome.evalue, 'cell ran longer than its 0.3 s limit (%timeout 0.3)');
  });

  test('an abort ends the program at once', async () => {
    const started = Date.now();
    const { outcome, sink } = await runSh('echo looping; while :; do :; done', { abortAfterMs: 300 });
    assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    assert.deepEqual(outcome.status === 'error' && [outcome.ename, outcome.evalue], ['Interrupted', 'interrupted by the user']);
    assert.equal(sink.text('stdout'), 'looping\n');
  });

  test('a background child holding the pipe does not hang the end', async () => {
    const started = Date.now();
    const { outcome } = await runSh('sleep 30 & echo done');
    assert.deepEqual(outcome, { status: 'ok' });
    assert.ok(Date.now() - started < 5000);
  });

  test('the environment given is the environment seen', async () => {
    const { sink } = await runSh('printf "%s" "$GREETING"', { env: { GREETING: 'hi there' } });
    assert.equal(sink.text('stdout'), 'hi there');
  });
});
