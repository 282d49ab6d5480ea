// Output floods through a real kernel and jupyter_client: the per-cell display limit with the
// complete output saved to a file, and back-pressure keeping the kernel's memory bounded while
// a program writes hundreds of MB.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** A program printing `count` numbered lines of 12 bytes ("line 000042\n"). */
const lines = (count: number) =>
  `#include <cstdio>\nint main() { for (int i = 0; i < ${count}; i++) printf("line %06d\\n", i); return 0; }\n`;

/** What `lines(count)` prints. */
const expected = (count: number) => Array.from({ length: count }, (_, i) => `line ${String(i).padStart(6, '0')}\n`).join('');

/** The saved file a notice names. */
function savedPath(ex: Exchange): string {
  const match = /complete output: (\S+\.txt)/.exec(streamText(ex, 'stderr'));
  assert.ok(match, `a notice names the file:\n${streamText(ex, 'stderr')}`);
  return match[1];
}

/** The kernel's resident memory in bytes, from /proc. */
async function rss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

describe('output floods through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start({ env: { ICUDA_LOG_LEVEL: 'info' } });
  });
  after(async () => {
    await k?.close();
  });

  test('past %output_limit the notebook gets a notice; the file holds the complete output', async () => {
    const ex = await k.execute(`%output_limit 64K\n${lines(20_000)}`);
    assert.equal(ex.reply.content.status, 'ok');
    const shown = streamText(ex, 'stdout');
    assert.ok(shown.length <= 64 * 1024, `shown ${shown.length} bytes`);
    assert.ok(expected(20_000).startsWith(shown), 'what is shown is the start of the output');
    assert.match(streamText(ex, 'stderr'), /output passed 64\.0 KiB/);
    assert.match(streamText(ex, 'stderr'), /234\.4 KiB of output in all/);
    assert.equal(await readFile(savedPath(ex), 'utf8'), expected(20_000));
  });

  test('the default limit is 4 MiB; %output_limit 0 shows everything', async () => {
    const count = 400_000; // 4.8 MB
    const limited = await k.execute(lines(count), {}, { timeout: 120 });
    assert.equal(limited.reply.content.status, 'ok');
    assert.equal(streamText(limited, 'stdout').length, 4 * 1024 * 1024, 'exactly the limit is shown');
    assert.equal(await readFile(savedPath(limited), 'utf8'), expected(count));
    const all = await k.execute(`%output_limit 0\n${lines(count)}`, {}, { timeout: 120 });
    assert.equal(streamText(all, 'stdout'), expected(count));
    assert.equal(streamText(all, 'stderr'), '');
  });

  test('a program writing 300 MB is held back: the kernel stays under 200 MB of memory', async () => {
    const code = `%output_limit 0
#include <cstring>
#include <unistd.h>
int main() {
  static char block[1 << 16];
  memset(block, 'x', sizeof block);
  for (int i = 1; i <= 100; i++) block[i * 600] = '\\n';
  for (int i = 0; i < 300 * 16; i++) if (write(1, block, sizeof block) < 0) return 1;
  return 0;
}
`;
    let peak = await rss(k.pid);
    const timer = setInterval(() => {
      rss(k.pid).then(
        (b) => {
          peak = Math.max(peak, b);
        },
        () => undefined,
      );
    }, 20);
    try {
      // burst: one execute_request, its reply awaited while iopub is read and discarded.
      const answer = await k.call({
        op: 'burst',
        msg_type: 'execute_request',
        count: 1,
        timeout: 240,
        content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      });
      assert.deepEqual(answer.statuses, { ok: 1 });
    } finally {
      clearInterval(timer);
    }
    assert.ok(peak < 200 * 1024 * 1024, `kernel peak RSS ${(peak / 2 ** 20).toFixed(1)} MiB`);
  });
});
