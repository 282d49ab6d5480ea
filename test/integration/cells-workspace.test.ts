// Programs that span cells, assembly views and help, through jupyter_client and the real nvcc:
// %%file, %sources, %workspace, %rm, %%ptx, %resources, %lsmagic, %help, unknown-magic hints.
import assert from 'node:assert/strict';
import { readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { assertNothingLeftUnder } from '../support/leftovers.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** The reply's status, and its ename/evalue when it failed. */
const statusOf = (ex: Exchange) => (ex.reply.content.status === 'ok' ? 'ok' : `${ex.reply.content.ename}: ${ex.reply.content.evalue}`);

const HEADER = '%%file vec.cuh\n#pragma once\n__device__ float twice(float x);\n';
const KERNEL = '%%file vec.cu\n#include "vec.cuh"\n__device__ float twice(float x) { return 2 * x; }\n';
const MAIN = `%sources vec.cu
#include <cstdio>
#include "vec.cuh"
__global__ void k(float *out) { out[0] = twice(21); }
int main() { printf("linked with %s\\n", "vec.cu"); return 0; }
`;

describe('workspace, assembly and help magics through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });
  afterEach(() => assertNothingLeftUnder(k.tmp));

  test('%%file saves into the workspace in one line, without compiling', async () => {
    const ex = await k.execute(HEADER);
    assert.equal(statusOf(ex), 'ok');
    assert.match(streamText(ex, 'stdout'), /^saved \d+ bytes as vec\.cuh in the workspace\n$/);
    const [kernelDir] = (await readdir(k.tmp)).filter((n) => n.startsWith('icuda-'));
    assert.deepEqual(await readdir(join(k.tmp, kernelDir, 'workspace')), ['vec.cuh']);
  });

  test('a later cell includes a workspace header and links a workspace source with %sources', async () => {
    assert.equal(statusOf(await k.execute(HEADER)), 'ok');
    assert.equal(statusOf(await k.execute(KERNEL)), 'ok');
    const ex = await k.execute(MAIN);
    assert.equal(statusOf(ex), 'ok', streamText(ex, 'stderr'));
    assert.equal(streamText(ex, 'stdout'), 'linked with vec.cu\n');
  });

  test('%%file -a appends; %workspace lists with sizes; %rm removes', async () => {
    await k.execute('%%file notes.h\n#define A 1\n');
    const appended = await k.execute('%%file -a notes.h\n#define B 2\n');
    assert.match(streamText(appended, 'stdout'), /^appended 12 bytes to notes\.h/);
    const listed = streamText(await k.execute('%workspace'), 'stdout');
    assert.match(listed, /notes\.h\s+24 bytes/);
    const run = await k.execute('%workspace\n#include <cstdio>\n#include "notes.h"\nint main() { printf("%d\\n", A + B); }\n');
    assert.match(streamText(run, 'stdout'), /notes\.h +24 bytes\n[\s\S]*\n3\n$/);
    assert.match(streamText(await k.execute('%rm notes.h'), 'stdout'), /removed notes\.h/);
    assert.doesNotMatch(streamText(await k.execute('%workspace'), 'stdout'), /notes\.h/);
  });

  test('names with paths, "..", or other extensions are refused clearly', async () => {
    for (const bad of ['%%file ../evil.h\nx', '%%file /tmp/x.cu\nx', '%%file sub/x.cu\nx', '%%file x.txt\nx', '%rm ..', '%sources a.cuh']) {
      const ex = await k.execute(bad);
      assert.equal(ex.reply.content.status, 'error', bad);
      assert.equal(ex.reply.content.ename, 'MagicError', bad);
      assert.match(ex.reply.content.evalue, /not a plain file name|header/, bad);
    }
  });

  test('a compile error in a %sources file names it by its workspace name', async () => {
    await k.execute('%%file broken.cu\nint f( {\n');
    const ex = await k.execute('%sources broken.cu\nint main() {}\n');
    assert.equal(ex.reply.content.ename, 'CompileError');
    const traceback = ex.reply.content.traceback.join('\n');
    assert.match(traceback, /"broken\.cu"|broken\.cu\(/);
    assert.doesNotMatch(traceback, /workspace\//);
    await k.execute('%rm broken.cu');
  });

  test('%sources of a file not in the workspace says so', async () => {
    const ex = await k.execute('%sources missing.cu\nint main() {}\n');
    assert.match(statusOf(ex), /^WorkspaceError: %sources: missing\.cu is not in the workspace/);
  });

  test('%sources refuses a link pointing outside the workspace', async () => {
    await k.execute('%%file inside.cu\nint inside;\n');
    const [kernelDir] = (await readdir(k.tmp)).filter((n) => n.startsWith('icuda-'));
    await symlink('/etc/hostname', join(k.tmp, kernelDir, 'workspace', 'outside.cu'));
    const ex = await k.execute('%sources outside.cu\nint main() {}\n');
    assert.match(statusOf(ex), /^WorkspaceError: %sources: outside\.cu is a link pointing outside the workspace/);
  });

  test('%%ptx shows the PTX and a resource line per kernel', async () => {
    const ex = await k.execute(
      '%%ptx\n__global__ void scale(float *a) { __shared__ float s[32]; s[threadIdx.x] = a[threadIdx.x]; __syncthreads(); a[threadIdx.x] = 2 * s[31 - threadIdx.x]; }\n',
    );
    assert.equal(statusOf(ex), 'ok', streamText(ex, 'stderr'));
    const out = streamText(ex, 'stdout');
    assert.match(out, /^\/\/ scale\(float\*\) \[sm_\d+\]: \d+ registers, 128 B shared, \d+ B stack, 0 B spill stores, 0 B spill loads$/m);
    assert.match(out, /\.visible \.entry _ZN8icuda_u\d+5scaleEPf/, 'no main: the unit the session would load, in its namespace');
    assert.match(out, /\.version \d+\.\d+/);
    assert.doesNotMatch(streamText(ex, 'stderr'), /ptxas info/);
  });

  test('%resources prints the summary as the cell compiles, then runs it', async () => {
    const ex = await k.execute('%resources\n#include <cstdio>\n__global__ void noop() {}\nint main() { printf("ran\\n"); }\n');
    assert.equal(statusOf(ex), 'ok');
    assert.match(
      streamText(ex, 'stdout'),
      /^noop\(\) \[sm_\d+\]: \d+ registers, 0 B shared, 0 B stack, 0 B spill stores, 0 B spill loads\nran\n$/,
    );
  });

  test('%lsmagic lists every magic; %help explains one', async () => {
    const list = streamText(await k.execute('%lsmagic'), 'stdout');
    for (const name of [
      '%flags',
      '%timeout',
      '%sources',
      '%workspace',
      '%rm',
      '%resources',
      '%time',
      '%bench',
      '%profile',
      '%sanitize',
      '%gpuinfo',
      '%help',
      '%%file',
      '%%ptx',
      '%%sass',
    ]) {
      assert.ok(list.includes(name), `${name} in:\n${list}`);
    }
    assert.match(
      streamText(await k.execute('%help bench'), 'stdout'),
      /^%bench \[-n RUNS\] \[-w WARMUP\] \[--min N\].*\n {2}Times the cell: warm-up/,
    );
    assert.match(streamText(await k.execute('%help %%file'), 'stdout'), /^%%file \[-a\] NAME/);
    const unknown = await k.execute('%help benhc');
    assert.match(statusOf(unknown), /unknown magic benhc; did you mean %bench\?/);
  });

  test('an unknown magic suggests the closest one', async () => {
    assert.match(
      statusOf(await k.execute('%timeuot 3\nint main() {}\n')),
      /^MagicError: line 1: unknown magic %timeuot; did you mean %timeout\?/,
    );
    assert.match(statusOf(await k.execute('%file x.cu\nint y;\n')), /did you mean %%file\?/);
  });
});
