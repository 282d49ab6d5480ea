// Rich output, kernel timing, CUDA error notices, %check and stdin, end to end: the installed
// kernel, the real nvcc, jupyter_client. Without a GPU the CUDA calls fail: the tests then check
// the no-GPU notices; on a GPU they check real times and the arch notice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** Whether this machine has a GPU the driver can use. */
const hasGpu = (() => {
  try {
    return execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8' }).includes('GPU');
  } catch {
    return false;
  }
})();

/** The display_data bundles of an exchange, in order. */
const displays = (ex: Exchange) => ex.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content.data as Record<string, any>);

/** The iopub outputs as a list of 'stdout:TEXT' / 'display:MIME…' tags, in order. */
const outputOrder = (ex: Exchange) =>
  ex.iopub.flatMap((m) => {
    if (m.msg_type === 'stream') return [`${m.content.name}:${m.content.text}`];
    if (m.msg_type === 'display_data') return [`display:${Object.keys(m.content.data).sort().join(',')}`];
    return [];
  });

const RICH = `#include "icuda.h"
int main() {
  printf("before\\n");
  icuda::display_html("<b>bold</b>");
  printf("between\\n");
  icuda::display_markdown("# Title");
  icuda::display_svg("<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'/>");
  const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 255};
  icuda::display_png(png, sizeof png);
  icuda::display_json("{\\"n\\": [1, 2], \\"s\\": \\"x\\"}");
  icuda::Table t({"kernel", "ms"});
  t.row("vadd", 0.25).row({"saxpy", "<1>"});
  t.display();
  printf("after\\n");
  return 0;
}
`;

describe('rich output, timing, notices and input through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('icuda.h displays arrive as display_data, in order with stdout', async () => {
    const ex = await k.execute(RICH);
    assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
    const shown = displays(ex);
    assert.equal(shown.length, 6);
    assert.equal(shown[0]['text/html'], '<b>bold</b>');
    assert.equal(shown[1]['text/markdown'], '# Title');
    assert.match(shown[2]['image/svg+xml'], /^<svg /);
    assert.equal(Buffer.from(shown[3]['image/png'], 'base64').toString('hex'), '89504e4700ff');
    assert.deepEqual(shown[4]['application/json'], { n: [1, 2], s: 'x' });
    assert.match(shown[5]['text/html'], /<td>vadd<\/td><td>0.25<\/td>/);
    assert.match(shown[5]['text/html'], /<td>&lt;1&gt;<\/td>/, 'cells are escaped');
    assert.match(shown[5]['text/plain'], /^kernel {2}ms\n-+ {2}-+\nvadd {4}0.25\nsaxpy {3}<1>\n$/);
    assert.equal(streamText(ex, 'stdout'), 'before\nbetween\nafter\n', 'stdout carries no frames');
    assert.deepEqual(outputOrder(ex).slice(0, 4), [
      'stdout:before\n',
      'display:text/html,text/plain',
      'stdout:between\n',
      'display:text/markdown,text/plain',
    ]);
    assert.equal(outputOrder(ex).at(-1), 'stdout:after\n');
    assert.equal(streamText(ex, 'stderr'), '', 'a program that never used CUDA gets no notice');
  });

  test('outside icuda the same program compiles and prints the plain-text fallback', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'icuda-rich-'));
    try {
      await writeFile(join(dir, 'rich.cu'), RICH);
      execFileSync('nvcc', ['-o', join(dir, 'rich'), join(dir, 'rich.cu'), '-I', join(packageRoot, 'include')], { stdio: 'pipe' });
      const env = { ...process.env };
      delete env.ICUDA_DISPLAY_FD;
      const out = execFileSync(join(dir, 'rich'), { env, encoding: 'utf8' });
      assert.equal(
        out,
        'before\n<b>bold</b>\nbetween\n# Title\n[SVG image, 62 bytes]\n[PNG image, 6 bytes]\n{"n": [1, 2], "s": "x"}\n' +
          'kernel  ms\n------  ----\nvadd    0.25\nsaxpy   <1>\nafter\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('ICUDA_TIME reports a table of kernel times, or says plainly why there are none', async () => {
    const ex = await k.execute(`#include "icuda.h"
__global__ void scale(float *x, int n) { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= 2; }
int main() {
  float *x = nullptr; int n = 1 << 20;
  cudaMalloc(&x, n * sizeof(float));
  for (int r = 0; r < 3; r++) ICUDA_TIME("scale") { scale<<<(n + 255) / 256, 256>>>(x, n); }
  ICUDA_TIME("memset") { cudaMemset(x, 0, n * sizeof(float)); }
  cudaFree(x);
  printf("done\\n");
  return 0;
}`);
    assert.equal(ex.reply.content.status, 'ok');
    const table = displays(ex).find((d) => String(d['text/plain']).startsWith('ICUDA_TIME'));
    assert.ok(table, `a timing table in ${JSON.stringify(displays(ex))}`);
    assert.match(table['text/html'], /<th>name<\/th><th>count<\/th><th>total ms<\/th><th>mean ms<\/th><th>min ms<\/th><th>max ms<\/th>/);
    assert.match(table['text/plain'], /\nscale +3 +/);
    assert.match(table['text/plain'], /\nmemset +1 +/);
    if (hasGpu) assert.match(table['text/plain'], /\nscale +3 +\d+\.\d{3} +\d+\.\d{3}/);
    else assert.match(table['text/plain'], /no kernel times: CUDA events failed \(CUDA driver version is insufficient/);
    assert.equal(
      outputOrder(ex).indexOf('stdout:done\n') < outputOrder(ex).findIndex((o) => o.startsWith('display:')),
      true,
      'the table comes at exit',
    );
  });

  test('a CUDA error the program left unchecked is explained after it ends', async () => {
    const vadd = (flags: string) => `${flags}
#include <cstdio>
__global__ void add(const float *a, float *b, int n) { int i = threadIdx.x; if (i < n) b[i] += a[i]; }
int main() {
  float *a, *b;
  cudaMalloc(&a, 64 * sizeof(float)); cudaMalloc(&b, 64 * sizeof(float));
  add<<<1, 64>>>(a, b, 64);
  cudaDeviceSynchronize();
  printf("finished\\n");
  return 0;
}`;
    // On a GPU: machine code for a newer arch than any GPU has, so no image fits.
    const ex = await k.execute(vadd(hasGpu ? '%flags -gencode arch=compute_120,code=sm_120' : ''));
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'finished\n');
    const stderr = streamText(ex, 'stderr');
    if (hasGpu)
      assert.match(
        stderr,
        /^icuda: CUDA error left unchecked at exit: .*\(cudaErrorNoKernelImageForDevice\) — compiled for an arch the GPU cannot run; fix: %flags -arch=sm_\d+\n$/,
      );
    else
      assert.match(
        stderr,
        /^icuda: CUDA unavailable: CUDA driver version is insufficient for CUDA runtime version \(cudaErrorInsufficientDriver\) — no usable GPU\/driver on this machine/,
      );
    assert.equal(stderr.split('\n').length, 2, 'one line');
  });

  test('no notice for a program that never used CUDA, nor on a GPU for one that checked its errors', async () => {
    const ex = await k.execute(`#include <cstdio>
__global__ void k() {}
int main(int argc, char **argv) {
  if (argc > 1) k<<<1, 1>>>();
  printf("%s\\n", argc > 1 ? "CUDA" : "no CUDA");
  return 0;
}`);
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'no CUDA\n', 'kernel registration alone is not a use');
    assert.equal(streamText(ex, 'stderr'), '');
    const checked = await k.execute(`#include <cstdio>
__global__ void k() {}
int main() {
  k<<<1, 1>>>();
  cudaError_t err = cudaGetLastError();
  if (err == cudaSuccess) err = cudaDeviceSynchronize();
  printf("%s\\n", cudaGetErrorName(err));
  return 0;
}`);
    assert.equal(checked.reply.content.status, 'ok');
    if (hasGpu) assert.equal(streamText(checked, 'stderr'), '', 'the error was read with cudaGetLastError');
    else {
      // Without a driver the runtime's start fails for good: every call, and the check at exit, sees it.
      assert.equal(streamText(checked, 'stdout'), 'cudaErrorInsufficientDriver\n');
      assert.match(streamText(checked, 'stderr'), /^icuda: CUDA unavailable: .* — no usable GPU\/driver on this machine/);
    }
  });

  test('%check reports the first failing kernel launch with its number and grid', async () => {
    const ex = await k.execute(`%check
#include <cstdio>
__global__ void k(int *p) { if (p) *p = 1; }
int main() {
  k<<<1, 1>>>(nullptr);
  k<<<1, 2048>>>(nullptr);
  printf("ran\\n");
  return 0;
}`);
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'ran\n');
    const stderr = streamText(ex, 'stderr');
    if (hasGpu)
      assert.match(
        stderr,
        /^icuda: CUDA error after kernel launch #2 <<<\(1,1,1\),\(2048,1,1\)>>>: .*\(cudaErrorInvalidConfiguration\) — invalid launch configuration/,
      );
    else
      assert.match(
        stderr,
        /^icuda: CUDA error after kernel launch #1 <<<\(1,1,1\),\(1,1,1\)>>>: .*\(cudaErrorInsufficientDriver\) — no usable GPU\/driver/,
      );
    assert.equal(stderr.trimEnd().split('\n').length, 1, 'the same error is not repeated at exit');
  });

  const READER = `#include <cstdio>
#include <iostream>
#include <string>
int main() {
  printf("two numbers? ");
  int a = 0, b = 0;
  if (scanf("%d %d", &a, &b) != 2) { printf("eof\\n"); return 0; }
  printf("sum %d\\nname? ", a + b);
  std::string name;
  std::cin >> name;
  std::cout << "hello " << name << std::endl;
  return 0;
}`;

  test("a program reading stdin gets input_request answers, one per blocking read; its prompt is the box's", async () => {
    const ex = await k.execute(READER, { allow_stdin: true }, { stdin: ['3 4', 'Ada'] });
    assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
    const asked = ex.all.filter((m) => m.channel === 'stdin' && m.msg_type === 'input_request');
    assert.deepEqual(
      asked.map((m) => m.content.prompt),
      ['two numbers? ', 'name? '],
      'the unfinished line before a read is the prompt, as IPython shows input("…")',
    );
    assert.equal(streamText(ex, 'stdout'), 'sum 7\nhello Ada\n');
    assert.equal(streamText(ex, 'stderr'), '');
  });

  test('output before a read, the prompt and output after it come in terminal order', async () => {
    const code = `#include <cstdio>
int main() {
  printf("a line first\\n");
  printf("Enter a number: ");
  int n = 0;
  scanf("%d", &n);
  printf("you typed %d\\n", n);
}`;
    const ex = await k.execute(code, { allow_stdin: true }, { stdin: ['7'] });
    const order = ex.all
      .filter((m) => m.msg_type === 'input_request' || (m.msg_type === 'stream' && m.content.name === 'stdout'))
      .map((m) => (m.msg_type === 'input_request' ? `[input: ${m.content.prompt}]` : m.content.text))
      .join('');
    assert.equal(order, 'a line first\n[input: Enter a number: ]you typed 7\n');
  });

  test('without allow_stdin the program sees end-of-file and the user one notice', async () => {
    const ex = await k.execute(READER, { allow_stdin: false });
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(ex.all.filter((m) => m.msg_type === 'input_request').length, 0);
    assert.equal(streamText(ex, 'stdout'), 'two numbers? eof\n');
    assert.equal(streamText(ex, 'stderr'), 'icuda: the program reads stdin, but this frontend does not allow input: it got end-of-file\n');
  });

  test('a program that never reads stdin is never asked for input', async () => {
    const ex = await k.execute('#include <unistd.h>\n#include <cstdio>\nint main() { usleep(300000); printf("quiet\\n"); return 0; }', {
      allow_stdin: true,
    });
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(ex.all.filter((m) => m.msg_type === 'input_request').length, 0);
    assert.equal(streamText(ex, 'stdout'), 'quiet\n');
  });
});
