// Session cells that go wrong, and the session's life, through the kernel: a segfault, a loop
// interrupted, a %timeout, each followed by a working session and its notice; %reset and %replay;
// the runner ended by shutdown, restart and the kernel's SIGKILL; an executor without sessions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exchanges, executeContent, missingClient, streamText, TestKernel } from '../support/jupyter.js';
import { processesUnder, waitNoProcessesUnder } from '../support/processes.js';
import { scratchDirsUnder } from '../support/scratch.js';
import { errorOf, ok } from './session-client.js';

const skip = missingClient();

/** The session runner's process under the kernel's temp dir, if one runs. */
async function runnerOf(k: TestKernel) {
  return (await processesUnder(k.tmp)).find((p) => p.cmdline.includes('icuda-session-runner'));
}

describe('session faults through the kernel', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('a segfault: RuntimeError, the notice naming what was lost, and a working session after', async () => {
    ok(await k.execute('#include <cstdio>\nint before_crash = 1;'));
    const crashed = errorOf(await k.execute('int *p = nullptr;\n*p = 1;'));
    assert.deepEqual([crashed.ename, crashed.evalue], ['RuntimeError', 'killed by SIGSEGV (segmentation fault)']);
    assert.match(crashed.traceback.at(-1)!, /^The session was restarted: what cell \[\d+\] defined is lost \(%replay runs them again\)\.$/);
    const fresh = await k.execute('#include <cstdio>\nprintf("alive\\n");');
    assert.equal(streamText(fresh, 'stdout'), 'alive\n');
    assert.equal(errorOf(await k.execute('printf("%d\\n", before_crash);')).ename, 'CompileError', 'the lost state is gone');
  });

  test('%replay runs again the cells that completed, in order, not the one that crashed', async () => {
    ok(await k.execute('%reset'));
    ok(await k.execute('#include <cstdio>\nint total = 0;'));
    ok(await k.execute('total += 5;\nprintf("total %d\\n", total);'));
    errorOf(await k.execute('#include <csignal>\ntotal += 100;\nraise(SIGSEGV);'));
    const replayed = await k.execute('%replay');
    ok(replayed);
    assert.match(streamText(replayed, 'stdout'), /^\[replay\] cell \[\d+\]\n\[replay\] cell \[\d+\]\ntotal 5\n$/);
    const after = await k.execute('printf("total %d\\n", total);');
    assert.equal(streamText(after, 'stdout'), 'total 5\n');
  });

  test('an infinite loop is interrupted within a second; the state is kept (no restart notice)', async () => {
    ok(await k.execute('int survivor = 7;'));
    const id = await k.send('execute_request', executeContent('printf("looping\\n");\nfflush(stdout);\nwhile (true) {}'));
    const early = await k.collect([id], { untilText: 'looping' });
    const t0 = Date.now() / 1000;
    await k.lifecycle('interrupt');
    const [ex] = exchanges([id], [...early, ...(await k.collect([id], { timeout: 10 }))]);
    const err = errorOf(ex);
    assert.deepEqual([err.ename, err.evalue], ['Interrupted', 'interrupted by the user']);
    assert.ok(ex.reply.t - t0 < 1.5, `reply ${(ex.reply.t - t0).toFixed(2)} s after the interrupt`);
    assert.doesNotMatch(err.traceback.join('\n'), /restarted/);
    const next = await k.execute('printf("%d\\n", survivor);');
    assert.equal(streamText(next, 'stdout'), '7\n');
  });

  test('%timeout ends a cell that runs too long; the session lives on', async () => {
    const started = Date.now();
    const err = errorOf(await k.execute('%timeout 1\nwhile (true) {}'));
    assert.deepEqual([err.ename, err.evalue], ['TimeoutError', 'cell ran longer than its 1 s limit (%timeout 1)']);
    assert.ok(Date.now() - started < 30_000);
    const next = await k.execute('printf("%d\\n", survivor + 1);');
    assert.equal(streamText(next, 'stdout'), '8\n');
  });

  test('%reset starts afresh: the names are gone, %vars says so, the runner is a new one', async () => {
    const before = await runnerOf(k);
    assert.ok(before, 'a runner runs');
    const reset = await k.execute('%reset\n%vars');
    ok(reset);
    assert.match(streamText(reset, 'stdout'), /a fresh session/);
    assert.match(String(reset.iopub.find((m) => m.msg_type === 'display_data')?.content.data['text/plain']), /no session names yet/);
    assert.equal(errorOf(await k.execute('printf("%d\\n", survivor);')).ename, 'CompileError');
    ok(await k.execute('#include <cstdio>\nprintf("new\\n");'));
    assert.notEqual((await runnerOf(k))?.pid, before.pid);
  });
});

describe('the runner ends with its kernel', { skip }, () => {
  for (const end of ['shutdown', 'restart', 'kill'] as const) {
    test(`${end}: no runner, no process, no scratch left`, async () => {
      const k = await TestKernel.start();
      try {
        ok(await k.execute('#include <cstdio>\nint x = 1;\nprintf("%d\\n", x);'));
        const runner = await runnerOf(k);
        assert.ok(runner, 'the session runner runs under the kernel');
        if (end === 'restart') {
          await k.lifecycle('restart');
          assert.deepEqual(
            (await waitNoProcessesUnder(k.tmp, 5000)).filter((p) => p.pid === runner.pid),
            [],
            'the old runner is gone',
          );
          const fresh = await k.execute('#include <cstdio>\nprintf("after restart\\n");');
          assert.equal(streamText(fresh, 'stdout'), 'after restart\n');
          await k.lifecycle('shutdown');
        } else await k.lifecycle(end);
        assert.equal((await k.lifecycle('wait_dead', { timeout: 10 })).alive, false);
        assert.deepEqual(await waitNoProcessesUnder(k.tmp, 5000), []);
        assert.deepEqual(await scratchDirsUnder(k.tmp, 5000), []);
      } finally {
        await k.close();
      }
    });
  }
});

describe('an executor without session cells', { skip }, () => {
  test('Slurm: a session cell fails with SessionError saying why; a program is sent to srun as before', async () => {
    const k = await TestKernel.start({ env: { ICUDA_EXECUTOR: 'slurm', ICUDA_SLURM_ARGS: '-p nowhere' } });
    try {
      for (const code of ['int x = 1;', '%vars', '%%ptx\n__global__ void k() {}']) {
        const err = errorOf(await k.execute(code));
        assert.equal(err.ename, 'SessionError', code);
        assert.match(err.evalue, /session cells \(cells without main\) are not supported with the Slurm executor yet/);
      }
    } finally {
      await k.close();
    }
  });
});
