// Cells as CUDA programs, end to end: the installed kernel, the real nvcc, jupyter_client.
// After every test nothing a cell started may still run.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { executeContent, exchanges, missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { assertNothingLeftUnder } from '../support/leftovers.js';
import { waitNoProcessesUnder } from '../support/processes.js';
import { scratchDirsUnder } from '../support/scratch.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** A cell that is a whole program: includes, then main's body. */
const program = (body: string, head = '') =>
  `#include <cstdio>\n#include <cstdlib>\n#include <unistd.h>\n${head}int main(int argc, char **argv) {\n${body}\n}\n`;

/** The error an exchange ended with (reply and iopub agree). */
function errorOf(ex: Exchange): { ename: string; evalue: string; traceback: string[] } {
  assert.equal(ex.reply.content.status, 'error');
  const published = ex.iopub.filter((m) => m.msg_type === 'error');
  assert.equal(published.length, 1, 'exactly one error output');
  assert.equal(published[0].content.ename, ex.reply.content.ename);
  return ex.reply.content as never;
}

describe('CUDA cells through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });
  afterEach(() => assertNothingLeftUnder(k.tmp));

  test('hello world compiled by nvcc prints on stdout', async () => {
    const ex = await k.execute(program('printf("Hello, CUDA!\\n"); return 0;'));
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'Hello, CUDA!\n');
  });

  test('output streams while the program runs', async () => {
    const ex = await k.execute(program('printf("first\\n"); sleep(1); printf("second\\n"); return 0;'));
    const streams = ex.iopub.filter((m) => m.msg_type === 'stream');
    const at = (text: string) => streams.find((m) => m.content.text.includes(text))!.t;
    assert.ok(at('second') - at('first') >= 0.8, `second line ${at('second') - at('first')} s after the first`);
  });

  test('a compile error names the cell line the user sees, with and without magics', async () => {
    for (const magics of ['', '%flags -O2\n//% args a b\n']) {
      const code = `${magics}#include <cstdio>\nint main() {\n  return undefined_thing;\n}\n`;
      const line = code.split('\n').findIndex((l) => l.includes('undefined_thing')) + 1;
      const ex = await k.execute(code);
      const err = errorOf(ex);
      assert.equal(err.ename, 'CompileError');
      assert.match(err.evalue, /1 error/);
      const count = ex.reply.content.execution_count;
      assert.ok(
        err.traceback.some((l) => l.includes(`cell[${count}](${line})`) && l.includes('undefined_thing')),
        `cell[${count}](${line}) in:\n${err.traceback.join('\n')}`,
      );
      assert.equal(streamText(ex, 'stderr'), '', 'diagnostics are shown once, in the error');
    }
  });

  test('a non-zero exit is a RuntimeError', async () => {
    const err = errorOf(await k.execute(program('printf("bye\\n"); return 3;')));
    assert.equal(err.ename, 'RuntimeError');
    assert.match(err.evalue, /exited with code 3/);
  });

  test('death by SIGSEGV is named', async () => {
    const err = errorOf(await k.execute(program('volatile int *p = nullptr; *p = 1; return 0;')));
    assert.match(err.evalue, /SIGSEGV/);
    assert.match(err.evalue, /segmentation fault/i);
  });

  test('%timeout stops a program that runs too long', async () => {
    const started = Date.now();
    const err = errorOf(await k.execute('%timeout 1\n' + program('for (;;) sleep(1);')));
    assert.equal(err.ename, 'TimeoutError');
    assert.match(err.evalue, /1 ?s/);
    assert.ok(Date.now() - started < 30_000);
  });

  for (const how of ['signal', 'message'] as const) {
    test(`interrupt (${how}) stops an infinite loop within a second; the kernel goes on`, async () => {
      const id = await k.send('execute_request', executeContent(program('printf("looping\\n"); for (;;) {}')));
      const early = await k.collect([id], { untilText: 'looping' });
      const t0 = Date.now() / 1000; // the bridge stamps messages with time.time()
      // The interrupt_request's own reply is collected together with the cell's: a separate
      // collect would swallow the cell's reply should it arrive first.
      const ids = how === 'signal' ? (await k.lifecycle('interrupt'), [id]) : [id, await k.send('interrupt_request', {}, 'control')];
      const [ex] = exchanges(ids, [...early, ...(await k.collect(ids, { timeout: 10 }))]);
      const reply = ex.reply;
      assert.equal(reply.content.status, 'error');
      assert.equal(reply.content.ename, 'Interrupted');
      assert.ok(reply.t - t0 < 1.5, `reply ${(reply.t - t0).toFixed(2)} s after the interrupt`);
      const next = await k.execute(program('printf("still here\\n"); return 0;'));
      assert.equal(streamText(next, 'stdout'), 'still here\n');
    });
  }

  test('%args and %env reach the program; shell syntax stays literal', async () => {
    const ex = await k.execute(
      '%args one "two words" ";" \'$(id)\'\n%env GREETING=hi there\n' +
        program('for (int i = 1; i < argc; i++) printf("[%s]", argv[i]); printf(" %s\\n", getenv("GREETING")); return 0;'),
    );
    assert.equal(streamText(ex, 'stdout'), '[one][two words][;][$(id)] hi there\n');
  });

  test('%flags defines VALUE for this cell only; %default_flags for later cells', async () => {
    const show = program('printf("%d\\n", VALUE); return 0;', '#ifndef VALUE\n#define VALUE -1\n#endif\n');
    assert.equal(streamText(await k.execute('%flags -DVALUE=42\n' + show), 'stdout'), '42\n');
    assert.equal(streamText(await k.execute(show), 'stdout'), '-1\n');
    const set = await k.execute('%default_flags -DVALUE=7');
    assert.equal(set.reply.content.status, 'ok');
    assert.equal(streamText(await k.execute(show), 'stdout'), '7\n');
    assert.match(streamText(await k.execute('%default_flags'), 'stdout'), /-DVALUE=7/);
    await k.execute('%default_flags --reset');
    assert.equal(streamText(await k.execute(show), 'stdout'), '-1\n');
  });

  test('an unknown magic is a MagicError naming the line; nothing is compiled', async () => {
    const err = errorOf(await k.execute('%flags -O2\n%frobnicate now\n' + program('return 0;')));
    assert.equal(err.ename, 'MagicError');
    assert.match(err.evalue, /line 2/);
    assert.match(err.evalue, /frobnicate/);
  });

  test('1 MiB of output arrives complete and in order', async () => {
    const ex = await k.execute(program('for (int i = 0; i < 131072; i++) printf("%07d\\n", i); return 0;'));
    const text = streamText(ex, 'stdout');
    assert.equal(text.length, 131072 * 8);
    const lines = text.split('\n');
    for (let i = 0; i < 131072; i++) if (Number(lines[i]) !== i) assert.fail(`line ${i} is ${lines[i]}`);
  });

  test('a kernel launch without a GPU reports the CUDA driver error', async () => {
    const code =
      '#include <cstdio>\n__global__ void k(int *x) { *x = 1; }\nint main() {\n' +
      '  k<<<1, 1>>>(nullptr);\n  cudaError_t e = cudaGetLastError();\n' +
      '  printf("launch: %s\\n", cudaGetErrorString(e));\n  return e == cudaSuccess ? 0 : 1;\n}\n';
    const ex = await k.execute(code);
    const out = streamText(ex, 'stdout');
    if (ex.reply.content.status === 'ok')
      assert.match(out, /launch: no error/); // a machine with a GPU
    else assert.match(out, /CUDA driver version is insufficient|no CUDA-capable device/);
  });
});

describe('nothing outlives the kernel', { skip }, () => {
  for (const end of ['shutdown', 'SIGTERM', 'kill'] as const) {
    test(`${end} while a cell runs leaves no process and no scratch behind`, async () => {
      const k = await TestKernel.start();
      try {
        const id = await k.send('execute_request', executeContent(program('printf("running\\n"); fflush(stdout); for (;;) sleep(1);')));
        await k.collect([id], { untilText: 'running' });
        if (end === 'shutdown') await k.lifecycle('shutdown');
        if (end === 'SIGTERM') await k.lifecycle('signal', { signal: 'SIGTERM' });
        if (end === 'kill') await k.lifecycle('kill');
        assert.equal((await k.lifecycle('wait_dead', { timeout: 10 })).alive, false);
        assert.deepEqual(await waitNoProcessesUnder(k.tmp, 5000), []);
        assert.deepEqual(await scratchDirsUnder(k.tmp, 5000), []);
      } finally {
        await k.close();
      }
    });
  }
});
