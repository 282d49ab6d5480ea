// A daemon that escapes its program's process group (setsid) and lets go of the pipes is killed
// within a second of the program's end: by the reaper's watchdog, or here when there is none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { startReaper, type Reaper } from '../../../src/engine/run/reaper.js';
import { runProgram } from '../../../src/engine/run/runner.js';
import { silentLogger } from '../../../src/log.js';
import { loadSettings, programLimits } from '../../../src/settings/settings.js';
import { fakeReaper, RecordingSink } from '../../support/fakes.js';

const hasSetsid = await readdir('/usr/bin').then(
  (names) => names.includes('setsid'),
  () => false,
);

/** Live processes whose environment holds `needle`. */
async function carrying(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const environ = await readFile(`/proc/${name}/environ`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (environ.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(name));
  }
  return pids;
}

/** Runs a program that leaves a setsid daemon behind (it waits for the daemon's setsid, so the
 * daemon has escaped when it ends); answers how long after its end the daemon was gone (or
 * Infinity after 3 s). */
async function daemonLifetime(reaper: Reaper): Promise<number> {
  const tag = `STRAGGLER_TAG=${randomUUID()}`;
  const [name, value] = tag.split('=');
  const outcome = await runProgram({
    binary: '/bin/sh',
    args: ['-c', 'setsid sleep 60 </dev/null >/dev/null 2>&1 3>&- & sleep 0.2; echo started'],
    env: { PATH: process.env.PATH, [name]: value },
    cwd: '/',
    limits: programLimits(loadSettings({})),
    signal: new AbortController().signal,
    output: new RecordingSink(),
    reaper,
  });
  const ended = Date.now();
  assert.deepEqual(outcome, { status: 'ok' });
  while (Date.now() - ended < 3000) {
    if ((await carrying(tag)).length === 0) return Date.now() - ended;
    await sleep(25);
  }
  return Infinity;
}

describe('escaped daemons', { skip: (process.platform !== 'linux' || !hasSetsid) && 'needs /proc and setsid' }, () => {
  test("the reaper's watchdog kills one within a second", async () => {
    const reaper = startReaper(silentLogger());
    try {
      assert.ok((await daemonLifetime(reaper)) < 1000);
    } finally {
      reaper.close();
    }
  });

  test('without a watchdog the kernel sweeps itself, within a second', async () => {
    assert.ok((await daemonLifetime(fakeReaper())) < 1000);
  });
});
