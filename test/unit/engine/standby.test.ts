// A program run in a standby shell (started when the run before it ended) sees what a freshly
// spawned one sees: the same environment and working directory, the same limits, a process
// group of its own, no extra descriptor; and a run that does not fit the standby spawns anew.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { runProgram } from '../../../src/engine/run/runner.js';
import { startReaper, type Reaper } from '../../../src/engine/run/reaper.js';
import { silentLogger } from '../../../src/log.js';
import { loadSettings, programLimits } from '../../../src/settings/settings.js';
import { RecordingSink } from '../../support/fakes.js';

/** What the program reports: its environment, limits, descriptors, process group and pid. */
const REPORT = `#!/bin/sh
if [ -e /proc/$$/fd/4 ]; then echo fd4=open; else echo fd4=closed; fi
env | grep -v '^ICUDA_RUN_MARK=' | sort
echo "cwd=$(pwd -P)"
echo "fsize=$(ulimit -f) core=$(ulimit -c)"
set -- $(cat /proc/$$/stat)
echo "group-is-self=$([ "$5" = "$$" ] && echo yes || echo no)"
echo "pid=$$"
`;

/** Children of this process that are standby shells. */
async function standbys(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of (await readdir('/proc')).filter((n) => /^\d+$/.test(n))) {
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (parent === process.pid && cmdline.includes('icuda-standby') && !/\) Z /.test(stat)) pids.push(Number(name));
  }
  return pids;
}

/** Waits (2 s at most) until `check` holds. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

describe('standby shells', { skip: process.platform !== 'linux' && 'needs /proc' }, () => {
  let dir: string;
  let program: string;
  let reaper: Reaper;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-standby-'));
    program = join(dir, 'report.sh');
    await writeFile(program, REPORT);
    await chmod(program, 0o755);
    reaper = startReaper(silentLogger());
  });
  after(async () => {
    reaper.close();
    assert.ok(await eventually(async () => (await standbys()).length === 0), 'no standby outlives its reaper');
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the report with `env` and a file size limit (a standby kept with `standbyEnv` and the
   * default limits); answers what it printed. */
  async function report(env: NodeJS.ProcessEnv, fileSize = '1G', standbyEnv = env): Promise<string> {
    const sink = new RecordingSink();
    const outcome = await runProgram({
      binary: program,
      args: [],
      env,
      cwd: dir,
      limits: programLimits(loadSettings({ ICUDA_MAX_FILE_SIZE: fileSize })),
      signal: new AbortController().signal,
      output: sink,
      reaper,
      standby: { env: standbyEnv, limits: programLimits(loadSettings({ ICUDA_MAX_FILE_SIZE: '1G' })) },
    });
    assert.deepEqual(outcome, { status: 'ok' }, sink.text('stderr'));
    return sink.text('stdout');
  }

  for (const env of [
    { PATH: process.env.PATH, A: 'one', QUOTED: 'it\'s "here" $HOME `x`' },
    { PATH: process.env.PATH, OLDPWD: '/somewhere/else' },
  ]) {
    test(`a standby run sees what a spawned run sees (${env.OLDPWD ? 'with' : 'without'} OLDPWD)`, async () => {
      const spawned = await report(env);
      assert.ok(await eventually(async () => (await standbys()).length === 1), 'a standby is ready after the run');
      const [ready] = await standbys();
      const stood = await report(env);
      assert.match(stood, new RegExp(`^pid=${ready}$`, 'm'), 'the run went to the standby');
      assert.equal(stood.replace(/^pid=\d+$/m, ''), spawned.replace(/^pid=\d+$/m, ''));
      assert.match(stood, /^fsize=2097152 core=0$/m);
      assert.match(stood, /^fd4=closed$/m, 'the script pipe is not left to the program');
      assert.match(stood, /^group-is-self=yes$/m);
      assert.match(stood, new RegExp(`^cwd=${dir}$`, 'm'));
      assert.equal(/^OLDPWD=/m.test(stood), env.OLDPWD !== undefined);
    });
  }

  test('a run with another environment or other limits is spawned, and the unused standby leaves', async () => {
    await report({ PATH: process.env.PATH, A: '1' });
    assert.ok(await eventually(async () => (await standbys()).length === 1));
    const [unused] = await standbys();
    const other = await report({ PATH: process.env.PATH, A: '2' });
    assert.doesNotMatch(other, new RegExp(`^pid=${unused}$`, 'm'));
    assert.match(other, /^A=2$/m);
    const others = async () => (await standbys()).filter((pid) => pid !== unused);
    assert.ok(await eventually(async () => (await others()).length === 1));
    const [kept] = await others();
    const limited = await report({ PATH: process.env.PATH, A: '2' }, '1M');
    assert.match(limited, /^fsize=2048 core=0$/m, "the run's own limits");
    assert.doesNotMatch(limited, new RegExp(`^pid=${kept}$`, 'm'), 'spawned: the standby has the kernel limits');
    assert.match(await report({ PATH: process.env.PATH, A: '2' }), new RegExp(`^pid=${kept}$`, 'm'), 'which the next run takes');
    assert.ok(await eventually(async () => !(await standbys()).includes(unused)), 'the unused standby is gone');
  });

  test("a cell's own variables go to its program, never to a standby", async () => {
    const kernel = { PATH: process.env.PATH, K: 'kernel' };
    await report(kernel);
    assert.ok(await eventually(async () => (await standbys()).length === 1));
    const [ready] = await standbys();
    const own = await report({ ...kernel, CELL_ONLY: 'x' }, '1G', kernel);
    assert.match(own, /^CELL_ONLY=x$/m);
    assert.doesNotMatch(own, new RegExp(`^pid=${ready}$`, 'm'), 'spawned: the standby has no CELL_ONLY');
    const environ = await readFile(`/proc/${ready}/environ`, 'utf8');
    assert.ok(environ.includes('K=kernel') && !environ.includes('CELL_ONLY'), 'the standby waits on, with the kernel environment only');
    assert.match(await report(kernel), new RegExp(`^pid=${ready}$`, 'm'), 'and serves the next plain run');
  });
});
