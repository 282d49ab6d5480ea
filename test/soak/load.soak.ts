// Load and endurance (npm run test:soak): several kernels at once with every byte checked, and
// one kernel through a long run whose memory, descriptors and scratch files must return to
// their baseline. Bounded in count and time, loopback only. Figures go to RELIABILITY.md.
import assert from 'node:assert/strict';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
const KERNELS = Number(process.env.ICUDA_SOAK_KERNELS ?? 4);
const CELLS_EACH = Number(process.env.ICUDA_SOAK_CELLS ?? 250);
const LONG_RUN = Number(process.env.ICUDA_SOAK_LONG ?? 1000);

// One program, so every cell after the first is a compile-cache hit; argv picks the content.
// Lines alternate between stdout and stderr, flushed one by one, with multi-byte UTF-8.
const PROGRAM = `#include <cstdio>
#include <cstdlib>
int main(int argc, char **argv) {
  int k = atoi(argv[1]), c = atoi(argv[2]), lines = atoi(argv[3]);
  for (int j = 0; j < lines; j++) {
    FILE *f = j % 3 == 2 ? stderr : stdout;
    fprintf(f, "k%d c%d line %d \\u00fc\\u4e2d\\u2713 %s\\n", k, c, j, j % 3 == 2 ? "err" : "out");
    fflush(f);
  }
  return argc > 4 ? atoi(argv[4]) : 0;
}
`;

/** What the program prints for (k, c, lines) on one stream. */
function expected(k: number, c: number, lines: number, name: 'stdout' | 'stderr'): string {
  let text = '';
  for (let j = 0; j < lines; j++) {
    const err = j % 3 === 2;
    if ((name === 'stderr') === err) text += `k${k} c${c} line ${j} \u00fc\u4e2d\u2713 ${err ? 'err' : 'out'}\n`;
  }
  return text;
}

/** Every stream message of the exchange came before its idle, under its own parent. */
function assertOrdered(ex: Exchange): void {
  const last = ex.iopub.at(-1)!;
  assert.equal(last.msg_type, 'status');
  assert.equal(last.content.execution_state, 'idle');
  const stray = ex.all.filter((m) => m.msg_type === 'stream' && m.parent_header.msg_id !== ex.msgId && !m.parent_header.msg_id);
  assert.deepEqual(stray, [], 'stream output without a parent');
}

describe('load: kernels at once, every byte checked', { skip }, () => {
  test(`${KERNELS} kernels x ${CELLS_EACH} cells: nothing lost, nothing misattributed`, async (t) => {
    const kernels = await Promise.all(Array.from({ length: KERNELS }, () => TestKernel.start()));
    let bytes = 0;
    let cells = 0;
    try {
      await Promise.all(
        kernels.map(async (k, kid) => {
          for (let c = 0; c < CELLS_EACH; c++) {
            const lines = 1 + (c % 7) * 3;
            const ex = await k.execute(`%args ${kid} ${c} ${lines}\n${PROGRAM}`, {}, { timeout: 300 });
            assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
            for (const name of ['stdout', 'stderr'] as const) {
              const text = streamText(ex, name);
              assert.equal(text, expected(kid, c, lines, name), `kernel ${kid} cell ${c} ${name}`);
              bytes += Buffer.byteLength(text);
            }
            assertOrdered(ex);
            cells++;
          }
        }),
      );
    } finally {
      await Promise.all(kernels.map((k) => k.close()));
    }
    t.diagnostic(`${cells} cells on ${KERNELS} kernels, ${bytes} bytes checked, 0 lost, 0 misattributed`);
    assert.equal(cells, KERNELS * CELLS_EACH);
  });
});

/** Resident memory (kB), open descriptors and files under the kernel's scratch dirs. */
async function footprint(k: TestKernel): Promise<{ rssKb: number; fds: number; files: number; fdTargets: string[] }> {
  const status = await readFile(`/proc/${k.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const fdNames = await readdir(`/proc/${k.pid}/fd`);
  const fds = fdNames.length;
  const fdTargets = await Promise.all(fdNames.map((fd) => readlink(`/proc/${k.pid}/fd/${fd}`).catch(() => '?')));
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else files++;
    }
  };
  for (const entry of await readdir(k.tmp)) if (entry.startsWith(`icuda-${k.pid}-`)) await walk(join(k.tmp, entry));
  return { rssKb, fds, files, fdTargets };
}

/** The footprint once the kernel is idle: after a cell has answered, the kernel starts the next
 * run's shell (standby.ts) and closes the last run's pipes, so its descriptors settle a moment later. */
async function settledFootprint(k: TestKernel): Promise<Awaited<ReturnType<typeof footprint>>> {
  let last = await footprint(k);
  for (let i = 0; i < 30; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await footprint(k);
    if (now.fdTargets.join() === last.fdTargets.join()) return now;
    last = now;
  }
  return last;
}

describe('endurance: one kernel, a long run', { skip }, () => {
  test(`${LONG_RUN} cells (hits, misses, failures): memory, descriptors and scratch return to baseline`, async (t) => {
    const k = await TestKernel.start();
    try {
      const cell = async (i: number) => {
        // Every 100th cell is a new program (a cache miss); every 10th exits with status 3.
        const variant = i % 100 === 99 ? `// variant ${i}\n` : '';
        const fail = i % 10 === 9 ? ' 3' : '';
        return k.execute(`%args 0 ${i} 4${fail}\n${variant}${PROGRAM}`, {}, { timeout: 300 });
      };
      for (let i = 0; i < 50; i++) await cell(i);
      const base = await settledFootprint(k);
      let failures = 0;
      for (let i = 50; i < LONG_RUN; i++) {
        const ex = await cell(i);
        if (i % 10 === 9) {
          assert.equal(ex.reply.content.status, 'error');
          failures++;
        } else {
          assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
          assert.equal(streamText(ex, 'stdout'), expected(0, i, 4, 'stdout'));
        }
      }
      const end = await settledFootprint(k);
      t.diagnostic(
        `baseline rss ${base.rssKb} kB, fds ${base.fds}, scratch files ${base.files}; ` +
          `after ${LONG_RUN} cells (${failures} failing): rss ${end.rssKb} kB, fds ${end.fds}, scratch files ${end.files}`,
      );
      assert.ok(end.rssKb - base.rssKb < 64 * 1024, `RSS grew by ${end.rssKb - base.rssKb} kB (allowed 64 MB)`);
      const opened = end.fdTargets.filter((target) => !base.fdTargets.includes(target));
      assert.ok(end.fds - base.fds <= 4, `fds grew from ${base.fds} to ${end.fds} (allowed 4); new: ${opened.join(', ')}`);
      assert.ok(end.files <= base.files, `scratch files grew from ${base.files} to ${end.files}`);
    } finally {
      await k.close();
    }
  });
});
