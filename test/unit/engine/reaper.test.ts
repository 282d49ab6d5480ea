// The reaper's watchdog starts when the kernel says (after its first reply) or at the first
// group or directory it must watch, whichever comes first; never before, never after close.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { startReaper } from '../../../src/engine/run/reaper.js';
import { silentLogger } from '../../../src/log.js';

/** Pids of this process's children running the watchdog (`sh -c ... icuda-reaper`). */
async function watchdogs(): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const found = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      return parent === process.pid && cmdline.includes('icuda-reaper') ? Number(pid) : undefined;
    }),
  );
  return found.filter((pid): pid is number => pid !== undefined);
}

/** Waits until `check` holds (or 2 s passed); answers whether it held. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

describe('reaper', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  test('no watchdog until it is told to start; then one, gone after close', async () => {
    let start!: () => void;
    const reaper = startReaper(silentLogger(), new Promise<void>((resolve) => (start = resolve)));
    await sleep(100);
    assert.deepEqual(await watchdogs(), []);
    start();
    assert.ok(await eventually(async () => (await watchdogs()).length === 1), 'the watchdog started');
    reaper.close();
    assert.ok(await eventually(async () => (await watchdogs()).length === 0), 'the watchdog left at close');
  });

  test('the first group to watch starts it at once', async () => {
    const reaper = startReaper(silentLogger(), new Promise<void>(() => undefined));
    assert.deepEqual(await watchdogs(), []);
    reaper.watchDir('/nonexistent/icuda-test');
    assert.equal((await watchdogs()).length, 1);
    reaper.close();
    assert.ok(await eventually(async () => (await watchdogs()).length === 0));
  });

  test('an ended group, told later, is off the list before the watchdog ends; a running one is killed', async () => {
    const reaper = startReaper(silentLogger());
    const spawnSleep = () => spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const [ended, running] = [spawnSleep(), spawnSleep()];
    try {
      reaper.track(ended.pid!);
      reaper.track(running.pid!);
      reaper.track(running.pid!); // a standby's group, tracked again when a program runs in it: one line
      reaper.untrack(ended.pid!); // its line waits for another, or for close
      const killed = new Promise((resolve) => running.once('exit', resolve));
      reaper.close();
      assert.ok(await eventually(async () => (await watchdogs()).length === 0), 'the watchdog left at close');
      await killed;
      assert.equal(running.signalCode, 'SIGKILL', 'the group still tracked was killed');
      assert.equal(ended.exitCode ?? ended.signalCode, null, 'the untracked group was left alone');
    } finally {
      ended.kill('SIGKILL');
      running.kill('SIGKILL');
    }
  });

  test('closed before it started, it never starts', async () => {
    let start!: () => void;
    const reaper = startReaper(silentLogger(), new Promise<void>((resolve) => (start = resolve)));
    reaper.close();
    start();
    await sleep(100);
    reaper.track(999999);
    assert.deepEqual(await watchdogs(), []);
  });
});
