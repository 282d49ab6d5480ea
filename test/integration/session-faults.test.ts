// Session cells that go wrong, with the real runner: a crash, an infinite loop interrupted (one
// that can be stopped, one that cannot), a time limit; each followed by a working session with the
// right notice; %replay and %reset; and no process left behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitNoProcessesUnder } from '../support/processes.js';
import { noNvcc, SessionHarness, type Ran } from './session-harness.js';

/** Asserts the cell succeeded. */
function ok(ran: Ran): void {
  assert.equal(ran.outcome.status, 'ok', ran.said);
}

/** The error's ename and evalue. */
function error(ran: Ran): [string, string] {
  assert.equal(ran.outcome.status, 'error', ran.said);
  return ran.outcome.status === 'error' ? [ran.outcome.ename, ran.outcome.evalue] : ['', ''];
}

/** How long the cell's statements may take to start: it is compiled first. */
const COMPILE_MS = 20_000;

describe('session faults', { skip: noNvcc }, () => {
  let h: SessionHarness;
  before(async () => (h = await SessionHarness.open()));
  after(async () => h?.close());

  test('a segfault is a RuntimeError naming the signal; the state is lost, said so, and the session works', async () => {
    ok(await h.run('int before_crash = 1;'));
    const crashed = await h.run('int *p = nullptr;\n*p = 1;');
    assert.deepEqual(error(crashed), ['RuntimeError', 'killed by SIGSEGV (segmentation fault)']);
    assert.match(crashed.said, /The session was restarted: what cell \[\d+\] defined is lost \(%replay runs them again\)/);
    const fresh = await h.run('int after_crash = 2;\nprintf("%d\\n", after_crash);');
    ok(fresh);
    assert.equal(fresh.stdout, '2\n');
    const gone = await h.run('printf("%d\\n", before_crash);');
    assert.equal(error(gone)[0], 'CompileError', 'what the crashed session held is gone');
  });

  test('an infinite loop is interrupted within a second; the state is kept', async () => {
    ok(await h.run('int survivor = 5;\n#include <csignal>'));
    const loop = await h.run('printf("looping\\n");\nvolatile unsigned long spins = 0;\nwhile (true) spins++;', {
      abortAfterMs: COMPILE_MS,
    });
    assert.deepEqual(error(loop), ['Interrupted', 'interrupted by the user']);
    assert.equal(loop.stdout, 'looping\n');
    assert.ok((loop.stopMs ?? 9999) < 1000, `control came back in ${loop.stopMs} ms`);
    assert.doesNotMatch(loop.said, /restarted/);
    const next = await h.run('printf("%d\\n", survivor);');
    assert.equal(next.stdout, '5\n', next.said);
  });

  test('a loop that cannot be stopped is killed within a second, and the loss is told', async () => {
    const stuck = await h.run('signal(SIGINT, SIG_IGN);\nwhile (true) {}', { abortAfterMs: COMPILE_MS });
    assert.deepEqual(error(stuck), ['Interrupted', 'interrupted by the user']);
    assert.ok((stuck.stopMs ?? 9999) < 1000, `control came back in ${stuck.stopMs} ms`);
    assert.match(stuck.said, /The session was restarted: what cells? .* defined is lost/);
    ok(await h.run('printf("alive\\n");'));
  });

  test('a time limit ends the cell with a TimeoutError; the session is intact', async () => {
    ok(await h.run('int patience = 3;'));
    const slow = await h.run('volatile unsigned long spins = 0;\nwhile (true) spins++;', { timeoutS: 1 });
    assert.deepEqual(error(slow), ['TimeoutError', 'cell ran longer than its 1 s limit (%timeout 1)']);
    const next = await h.run('printf("%d\\n", patience);');
    assert.equal(next.stdout, '3\n', next.said);
  });

  test('%replay rebuilds the state after a crash, without the cell that crashed it', async () => {
    await h.session.reset();
    ok(await h.run('#include <vector>\nstd::vector<int> log_;'));
    ok(await h.run('log_.push_back(1);'));
    error(await h.run('abort();'));
    const output = new (await import('./session-harness.js')).Recorder();
    const replayed = await h.session.replay({ signal: new AbortController().signal, output });
    assert.equal(replayed.status, 'ok', JSON.stringify(replayed));
    assert.equal(h.session.journal.length, 2);
    const now = await h.run('printf("%zu\\n", log_.size());');
    assert.equal(now.stdout, '1\n', now.said);
  });

  test('%reset starts a fresh session with nothing to replay', async () => {
    ok(await h.run('int to_forget = 1;'));
    await h.session.reset();
    assert.equal(h.session.journal.length, 0);
    assert.deepEqual(h.session.describe(), []);
    assert.equal(error(await h.run('printf("%d\\n", to_forget);'))[0], 'CompileError');
  });

  test('a cell that closes stdout, stderr and fd 3 still ends; so do the cells after it', async () => {
    const closed = await h.run('#include <unistd.h>\nclose(1);\nclose(2);\nclose(3);');
    ok(closed);
    ok(await h.run('int fine = 1;'));
    await h.session.reset();
  });

  test('closing the session leaves no process behind, even one a cell started', async () => {
    ok(await h.run('#include <cstdlib>\nsystem("sleep 300 &");'));
    ok(await h.run('printf("%d\\n", 1);'));
    await h.session.close();
    assert.deepEqual(await waitNoProcessesUnder(h.dir), [], 'the runner and what it started are gone');
  });
});
