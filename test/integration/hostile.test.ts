// Hostile and broken programs: each cell ends (by its limit, an interrupt or its own exit),
// every process it started is gone, the disk it used is bounded, and the next cell runs.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { exchanges, executeContent, missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
const HEADERS = '#include <cstdio>\n#include <cstdlib>\n#include <csignal>\n#include <unistd.h>\n#include <sys/types.h>\n';

/** Pids of live processes whose environment holds `needle` (the cell's own tag). */
async function tagged(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    const state = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (environ.includes(needle) && !/\) Z /.test(state)) pids.push(Number(name));
  }
  return pids;
}

/** Waits (bounded) until no process carries the tag; answers those left. */
async function settledTag(needle: string, ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = await tagged(needle);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await tagged(needle);
  }
  return left;
}

describe('hostile cells', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  /** Runs a cell tagged through %env, then checks nothing with the tag survives and the kernel goes on. */
  async function hostile(tag: string, code: string): Promise<Exchange> {
    const ex = await k.execute(`%env HOSTILE_TAG=${tag}\n${code}`, {}, { timeout: 120 });
    assert.deepEqual(await settledTag(`HOSTILE_TAG=${tag}`), [], `processes of ${tag} survived`);
    const next = await k.execute(`${HEADERS}int main() { printf("next\\n"); return 0; }\n`);
    assert.equal(streamText(next, 'stdout'), 'next\n');
    return ex;
  }

  test('a fork loop ends at its time limit and leaves no process', async () => {
    const ex = await hostile(
      'forker',
      `%timeout 3\n${HEADERS}int main() {
  for (;;) { pid_t p = fork(); if (p == 0) { for (;;) pause(); } if (p < 0) usleep(10000); }
}\n`,
    );
    assert.equal(ex.reply.content.ename, 'TimeoutError');
  });

  test('a program writing a file without end is stopped by the file size limit', async () => {
    const ex = await hostile(
      'writer',
      `%env ICUDA_MAX_FILE_SIZE=1048576\n${HEADERS}int main() {
  FILE *f = fopen("big.bin", "wb"); static char block[65536];
  for (;;) { if (fwrite(block, 1, sizeof block, f) != sizeof block) { printf("write failed\\n"); return 1; } fflush(f); }
}\n`,
    );
    assert.equal(ex.reply.content.status, 'error');
    assert.match(ex.reply.content.evalue, /SIGXFSZ|exited with code 1/);
  });

  test('a program that closes its stdout and keeps running ends at its time limit', async () => {
    const ex = await hostile(
      'closer',
      `%timeout 2\n${HEADERS}int main() { printf("bye\\n"); fflush(stdout); fclose(stdout); fclose(stderr); for (;;) pause(); }\n`,
    );
    assert.equal(ex.reply.content.ename, 'TimeoutError');
    assert.equal(streamText(ex, 'stdout'), 'bye\n');
  });

  test('a program that ignores SIGTERM is interrupted anyway', async () => {
    const id = await k.send(
      'execute_request',
      executeContent(`%env HOSTILE_TAG=stubborn\n${HEADERS}int main() {
  signal(SIGTERM, SIG_IGN); signal(SIGINT, SIG_IGN); printf("stubborn\\n"); fflush(stdout); for (;;) pause();
}\n`),
    );
    const early = await k.collect([id], { untilText: 'stubborn' });
    const ids = [id, await k.send('interrupt_request', {}, 'control')]; // one collect: see cuda-cells.test.ts
    const [ex] = exchanges(ids, [...early, ...(await k.collect(ids, { timeout: 30 }))]);
    assert.equal(ex.reply.content.ename, 'Interrupted');
    assert.deepEqual(await settledTag('HOSTILE_TAG=stubborn'), []);
  });

  test('a daemon that escapes the process group (setsid) does not outlive its cell', async () => {
    const ex = await hostile(
      'daemon',
      `${HEADERS}int main() {
  if (fork() == 0) { setsid(); if (fork() == 0) { for (int i = 0; i < 600; i++) sleep(1); } _exit(0); }
  printf("parent done\\n"); return 0;
}\n`,
    );
    assert.equal(ex.reply.content.status, 'ok');
  });

  test('magic arguments with shell syntax are passed literally', async () => {
    const ex = await k.execute(`%args "; touch pwned" '$(touch pwned2)' \`touch pwned3\`\n${HEADERS}int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("[%s]\\n", argv[i]);
  printf("%d %d %d\\n", access("pwned", F_OK), access("pwned2", F_OK), access("pwned3", F_OK));
  return 0;
}\n`);
    assert.equal(streamText(ex, 'stdout'), '[; touch pwned]\n[$(touch pwned2)]\n[`touch]\n[pwned3`]\n-1 -1 -1\n');
  });

  test('%limits shows each limit and how to change it', async () => {
    const ex = await k.execute('%limits');
    const text = streamText(ex, 'stdout');
    for (const word of ['wall time', 'file size', 'processes', 'core dumps', 'compile time', 'ICUDA_MAX_FILE_SIZE'])
      assert.match(text, new RegExp(word));
  });
});
