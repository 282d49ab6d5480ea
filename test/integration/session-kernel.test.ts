// Session cells through the kernel, end to end: jupyter_client, the installed kernel, the real
// nvcc and the session runner. Host state across cells, a kernel launched from a later cell (the
// driver error reaching the user), redefinitions, diagnostics on the user's line with the session
// intact, whole programs interleaved, the magics that apply and those that do not, %time, %vars,
// completion and inspection of the session's names, and error text without scratch paths.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { missingClient, streamText, TestKernel } from '../support/jupyter.js';
import { displays, errorOf, ok } from './session-client.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** A CUDA call's error string where there is no GPU (or a driver without a device). */
const NO_GPU = /CUDA driver version is insufficient for CUDA runtime version|no CUDA-capable device is detected/;

describe('session cells through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('host state lives on: counters, a vector, a string, a function', async () => {
    ok(
      await k.execute(
        '#include <cstdio>\n#include <string>\n#include <vector>\nint counter = 0;\nstd::vector<int> seen;\nstd::string name = "a";',
      ),
    );
    ok(await k.execute('int bump() { return ++counter; }'));
    const used = await k.execute(
      'seen.push_back(bump());\nseen.push_back(bump());\nname += "b";\nprintf("%zu %s %d\\n", seen.size(), name.c_str(), counter);',
    );
    ok(used);
    assert.equal(streamText(used, 'stdout'), '2 ab 2\n');
    const again = await k.execute('printf("%d %s\\n", bump(), name.c_str());');
    assert.equal(streamText(again, 'stdout'), '3 ab\n');
  });

  test('a kernel defined in one cell is launched from a later one; the driver error reaches the user', async () => {
    ok(await k.execute('const int n = 256;\nfloat *d_x = nullptr;\ncudaError_t made = cudaMalloc(&d_x, n * sizeof(float));'));
    ok(
      await k.execute(
        '__global__ void fill(float *x, float v, int n) {\n  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) x[i] = v;\n}',
      ),
    );
    const launch = await k.execute(
      'fill<<<1, n>>>(d_x, 2.0f, n);\ncudaError_t e = cudaDeviceSynchronize();\nprintf("launch: %s\\n", cudaGetErrorString(e));',
    );
    ok(launch);
    const out = streamText(launch, 'stdout');
    assert.match(out, /^launch: /, "the launch resolved to the earlier cell's kernel and ran");
    if (!/launch: no error/.test(out)) {
      assert.match(out, NO_GPU);
      assert.match(streamText(launch, 'stderr'), /icuda: CUDA unavailable: .*\(cudaError(InsufficientDriver|NoDevice)\)/);
    }
  });

  test('redefining a function, a kernel and a variable takes effect', async () => {
    ok(await k.execute('int answer() { return 1; }\nint level = 5;\n__global__ void mark(int *p) { *p = 1; }'));
    ok(await k.execute('int answer() { return 2; }\nint level = 9;\n__global__ void mark(int *p, int v) { *p = v; }'));
    const seen = await k.execute(
      'printf("%d %d\\n", answer(), level);\nmark<<<1, 1>>>(nullptr, 3);\nprintf("two-argument mark: %s\\n", "launched");',
    );
    ok(seen);
    assert.equal(streamText(seen, 'stdout'), '2 9\ntwo-argument mark: launched\n');
  });

  test('a compile error names the line the user sees, magics included; the session lives on', async () => {
    ok(await k.execute('int kept = 41;'));
    const code = '%flags -O2\n%time\nint fine = 1;\nkept += undefined_thing;\n';
    const ex = await k.execute(code);
    const err = errorOf(ex);
    assert.equal(err.ename, 'CompileError');
    const count = ex.reply.content.execution_count;
    assert.ok(
      err.traceback.some((l) => l.startsWith(`cell[${count}](4): error`) && l.includes('undefined_thing')),
      err.traceback.join('\n'),
    );
    assert.ok(!err.traceback.join('\n').includes('icuda-session'), 'no glue line is blamed');
    const after = await k.execute('printf("%d\\n", kept + 1);');
    assert.equal(streamText(after, 'stdout'), '42\n');
  });

  test('a cell with main() is a whole program, as ever, between session cells', async () => {
    ok(await k.execute('int shared_value = 7;'));
    const program = await k.execute('#include <cstdio>\nint main() { printf("program %d\\n", 1); return 0; }');
    ok(program);
    assert.equal(streamText(program, 'stdout'), 'program 1\n');
    const code = await k.execute('#include <cstdio>\nint main(int argc, char **argv) { return argc == 1 ? 3 : 0; }');
    assert.deepEqual([errorOf(code).ename, errorOf(code).evalue], ['RuntimeError', 'exited with code 3']);
    const session = await k.execute('printf("%d\\n", shared_value);');
    assert.equal(streamText(session, 'stdout'), '7\n', 'the session never saw the programs');
  });

  test('magics that fit only a whole program say so; those that apply work', async () => {
    for (const magic of ['%args a', '%env A=1', '%keep', '%sources k.cu', '%profile', '%sanitize']) {
      const err = errorOf(await k.execute(`${magic}\nprintf("x\\n");`));
      assert.equal(err.ename, 'MagicError', magic);
      assert.match(err.evalue, /appl(y|ies) to cells with main\(\)/, magic);
    }
    const timed = await k.execute('%time\n%flags -DGREETING=\\"hi\\"\n%timeout 30\nprintf("%s\\n", GREETING);');
    ok(timed);
    assert.match(streamText(timed, 'stdout'), /^hi\n%time: compile \d[\d.]* (ms|s), run \d[\d.]* (µs|ms|s|ns)\n$/);
    const limited = await k.execute('%output_limit 1K\nfor (int i = 0; i < 1000; i++) printf("line %d\\n", i);');
    ok(limited);
    assert.match(
      streamText(limited, 'stderr'),
      /output passed 1\.0 KiB: the rest is not shown; all of it is saved to \S+output-cell\d+-\d+\.txt/,
    );
    const checked = await k.execute('%check\n__global__ void bad() {}\nbad<<<1, 4096>>>();');
    ok(checked);
    assert.match(streamText(checked, 'stderr'), /kernel launch #1 <<<\(1,1,1\),\(4096,1,1\)>>>|icuda: CUDA unavailable/);
  });

  test('%vars lists names, kinds, cells and what pointers hold; completion and inspection know the names', async () => {
    ok(await k.execute('float *d_buffer = nullptr;\nsize_t buffer_items = 1024;\ncudaMalloc(&d_buffer, buffer_items * sizeof(float));'));
    const vars = await k.execute('%vars');
    ok(vars);
    const table = displays(vars).join('\n');
    assert.match(table, /^name\s+kind\s+declaration\s+cell\s+memory$/m);
    assert.match(table, /^buffer_items\s+variable\s+size_t buffer_items\s+\[\d+\]\s+8 B$/m);
    const pointer = /^d_buffer\s+variable\s+float \*d_buffer\s+\[\d+\]\s+8 B; (.*)$/m.exec(table);
    assert.ok(pointer, table);
    assert.match(pointer[1], /^(null pointer|device memory \(GPU 0\), in an allocation of [\d.]+ [KMG]?i?B at 0x[0-9a-f]+)$/);
    assert.match(table, /^fill\s+kernel\s+__global__ void fill\(float \*x, float v, int n\);/m);
    const completion = await k.request('complete_request', { code: 'buffer_it', cursor_pos: 9 });
    assert.deepEqual(completion.reply.content.matches, ['buffer_items']);
    const inspection = await k.request('inspect_request', { code: 'fill<<<1, 1>>>(p, 1, 1);', cursor_pos: 2, detail_level: 0 });
    assert.match(
      inspection.reply.content.data['text/plain'],
      /^__global__ void fill\(float \*x, float v, int n\);\n\nkernel defined by session cell \[\d+\]$/,
    );
  });

  test('ICUDA_TIME shows its table under the cell that timed', async () => {
    ok(await k.execute('#include "icuda.h"\n__global__ void tick() {}'));
    const timed = await k.execute('for (int r = 0; r < 3; r++)\n  ICUDA_TIME("tick") { tick<<<1, 1>>>(); }\nprintf("timed\\n");');
    ok(timed);
    const table = displays(timed).join('\n');
    assert.match(table, /^ICUDA_TIME \(CUDA events\)\nname\s+count/m);
    assert.match(table, /^tick\s+3\s/m);
    const next = await k.execute('printf("quiet\\n");');
    assert.deepEqual(displays(next), [], 'the table was shown once, and starts afresh');
  });

  test('errors name no scratch path: a missing definition, an include of nothing', async () => {
    const missing = await k.execute('int never_defined(int);\nprintf("%d\\n", never_defined(1));');
    const link = errorOf(missing);
    assert.equal(link.ename, 'LinkError');
    assert.equal(
      link.evalue,
      'the cell could not be loaded: undefined symbol: never_defined(int) (declared, or used, but never defined in a cell that ran)',
    );
    const include = errorOf(await k.execute('#include "no_such_header.cuh"'));
    for (const text of [link.evalue, ...link.traceback, include.evalue, ...include.traceback])
      assert.doesNotMatch(text, /tmpxft|\/runs\/|icuda-\d+-/, text);
    assert.match(include.traceback.join('\n'), /no_such_header\.cuh/);
  });

  test('%%file headers are included by session cells', async () => {
    ok(await k.execute('%%file twice.cuh\n#pragma once\ninline int twice(int v) { return 2 * v; }'));
    ok(await k.execute('#include "twice.cuh"'));
    const used = await k.execute('printf("%d\\n", twice(21));');
    assert.equal(streamText(used, 'stdout'), '42\n');
  });
});
