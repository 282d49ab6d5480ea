// %time, %bench, %gpuinfo and the kernel_info banner through jupyter_client and the real nvcc.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { assertNothingLeftUnder } from '../support/leftovers.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

const statusOf = (ex: Exchange) => (ex.reply.content.status === 'ok' ? 'ok' : `${ex.reply.content.ename}: ${ex.reply.content.evalue}`);
const displays = (ex: Exchange) => ex.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content.data);

/** A program that counts its runs in a file of its run directory and fails on run `failAt`. */
const counting = (failAt: number) => `#include <cstdio>
int main() {
  FILE *f = fopen("runs", "a+"); fputc('x', f); long n = ftell(f); fclose(f);
  printf("run %ld\\n", n);
  return n == ${failAt} ? 3 : 0;
}
`;

describe('%time, %bench, %gpuinfo and the banner through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });
  afterEach(() => assertNothingLeftUnder(k.tmp));

  test('kernel_info answers at once and its banner names nvcc and the GPU (or none)', async () => {
    let banner: string;
    const deadline = Date.now() + 60_000;
    do {
      const started = Date.now();
      banner = (await k.request('kernel_info_request')).reply.content.banner;
      assert.ok(Date.now() - started < 10_000, 'kernel_info never waits on a probe');
      if (!banner.includes('still looking') && /nvcc \d/.test(banner)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    assert.match(banner, /compiled by nvcc \d+\.\d+/);
    assert.match(banner, /no GPU found|GPU 0: .+ \(sm_\d+\)/);
  });

  test('%time reports compile and run time in one line after the output', async () => {
    const ex = await k.execute('%time\n#include <cstdio>\nint main() { printf("hi\\n"); }\n');
    assert.equal(statusOf(ex), 'ok');
    assert.match(streamText(ex, 'stdout'), /^hi\n(.*cache.*\n)?%time: compile \d+(\.\d+)? m?s, run \d+(\.\d+)? m?s\n$/);
  });

  test('%bench runs warm-up plus runs, shows the first run only, a statistics table and an SVG chart', async () => {
    const ex = await k.execute(`%bench -n 5 -w 2\n${counting(0)}`);
    assert.equal(statusOf(ex), 'ok');
    assert.equal(streamText(ex, 'stdout'), 'run 1\n');
    const [table, chart] = displays(ex);
    assert.match(table['text/plain'], /^5 runs after 2 warm-up/);
    for (const stat of ['min', 'median', 'mean', 'max', 'stddev']) {
      assert.match(table['text/plain'], new RegExp(`^${stat} +\\d+(\\.\\d+)? (m|µ|n)?s$`, 'm'));
      assert.match(table['text/html'], new RegExp(`<td>${stat}</td>`));
    }
    assert.match(chart['image/svg+xml'], /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(chart['image/svg+xml'].match(/<rect /g).length, 5);
  });

  test('a failing run stops %bench with its error', async () => {
    const ex = await k.execute(`%bench -n 5 -w 1\n${counting(4)}`);
    assert.equal(statusOf(ex), 'RuntimeError: bench run 4 of 6: exited with code 3');
    assert.deepEqual(displays(ex), []);
  });

  test('%bench with bad arguments is a MagicError', async () => {
    assert.match(statusOf(await k.execute('%bench -n 0\nint main() {}')), /^MagicError: line 1: %bench: expected -n RUNS/);
  });

  test('%gpuinfo shows the GPUs (or plainly none) and the toolchain as HTML and text', async () => {
    const ex = await k.execute('%gpuinfo');
    assert.equal(statusOf(ex), 'ok');
    const [info] = displays(ex);
    assert.ok(info['text/html'].includes('<table>'));
    assert.match(info['text/plain'], /no GPU found \(.+\)|compute capability/);
    assert.match(info['text/plain'], /^nvcc +\d+\.\d+ \(/m);
    assert.match(info['text/plain'], /^host compiler +\S+/m);
    assert.match(info['text/plain'], /^compiles for +\S+/m);
  });
});
