// The `icuda` command as a user runs it: install, list with the real `jupyter kernelspec`,
// uninstall, --version and --help.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot, packageVersion } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';

const icuda = join(packageRoot, 'bin', 'icuda.js');
const jupyter = join(packageRoot, '.venv', 'bin', 'jupyter');
const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** Runs the CLI with an environment; answers status and output. */
function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [icuda, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('icuda CLI', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-cli-'));
    env = { JUPYTER_DATA_DIR: join(home, 'data'), VIRTUAL_ENV: join(home, 'venv'), CONDA_PREFIX: '' };
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('--version prints the package version; --help the usage', () => {
    assert.equal(cli(['--version'], env).stdout.trim(), packageVersion);
    const help = cli(['--help'], env);
    assert.equal(help.status, 0);
    for (const word of ['install', 'uninstall', 'kernel --connection-file', 'ICUDA_LOG_LEVEL']) assert.match(help.stdout, new RegExp(word));
    const bad = cli(['frobnicate'], env);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command "frobnicate"/);
  });

  test('every command answers --help with its options; an unknown option or a missing value exits 2 with its usage', () => {
    const commands: [string[], string[]][] = [
      [['install'], ['--sys-prefix', '--display-name', '--executor', '--slurm-args']],
      [['uninstall'], ['--user', '--prefix', '--name']],
      [['kernel'], ['--connection-file']],
      [['host'], ['--listen', '--tls-cert', '--max-jobs', '--grace', '127.0.0.1:50051']],
      [['run'], ['--output', '--timeout', '--allow-errors']],
      [['doctor'], []],
      [['cache'], ['clear', 'info']],
      [['cache', 'info'], []],
    ];
    for (const [command, words] of commands) {
      const help = cli([...command, '--help'], env);
      assert.equal(help.status, 0, `${command.join(' ')} --help: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`Usage: icuda ${command.join(' ')}`));
      for (const word of words) assert.ok(help.stdout.includes(word), `${command.join(' ')} --help mentions ${word}`);
      const required = command[0] === 'kernel' ? ['--connection-file', 'x.json'] : []; // a missing required option is reported first
      const bad = cli([...command, ...required, '--frobnicate'], env);
      assert.equal(bad.status, 2, `${command.join(' ')} --frobnicate`);
      assert.match(bad.stderr, /unknown option '--frobnicate'/);
      assert.match(bad.stderr, new RegExp(`Usage: icuda ${command.join(' ')}`), 'the usage follows the error');
    }
    const missing = cli(['install', '--prefix'], env);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /option '--prefix <dir>' argument missing/);
    const value = cli(['host', '--max-jobs', 'many'], env);
    assert.equal(value.status, 2);
    assert.match(value.stderr, /--max-jobs must be a whole number, 1 or more, got "many"/);
  });

  test('install --user writes kernel.json and logos; uninstall removes them', async () => {
    const r = cli(['install', '--user', '--name', 'icuda-t', '--display-name', 'CUDA (test)'], env);
    assert.equal(r.status, 0, r.stderr);
    const dir = join(home, 'data', 'kernels', 'icuda-t');
    const spec = JSON.parse(await readFile(join(dir, 'kernel.json'), 'utf8'));
    assert.equal(spec.display_name, 'CUDA (test)');
    assert.equal(spec.language, 'cuda');
    assert.equal(spec.interrupt_mode, 'signal');
    assert.deepEqual(spec.argv.slice(-3), ['kernel', '--connection-file', '{connection_file}']);
    for (const logo of ['logo-32x32.png', 'logo-64x64.png']) await readFile(join(dir, logo));
    assert.equal(cli(['uninstall', '--user', '--name', 'icuda-t'], env).status, 0);
    await assert.rejects(readFile(join(dir, 'kernel.json')));
  });

  test('bad options fail with one clear line', () => {
    const both = cli(['install', '--user', '--prefix', home], env);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /choose one of --user, --sys-prefix and --prefix/);
    const name = cli(['install', '--name', 'a/b'], env);
    assert.match(name.stderr, /invalid kernel name "a\/b"/);
  });

  test('jupyter kernelspec list finds --user and --sys-prefix installs', { skip }, () => {
    assert.equal(cli(['install', '--user'], env).status, 0);
    assert.equal(cli(['install', '--sys-prefix', '--name', 'icuda-venv'], env).status, 0);
    const listed = JSON.parse(
      execFileSync(jupyter, ['kernelspec', 'list', '--json'], {
        env: { ...process.env, ...env, JUPYTER_PATH: join(home, 'venv', 'share', 'jupyter') },
        encoding: 'utf8',
      }),
    );
    assert.equal(listed.kernelspecs.icuda?.spec.language, 'cuda');
    assert.equal(listed.kernelspecs['icuda-venv']?.spec.display_name, 'CUDA');
    assert.ok(listed.kernelspecs.icuda.resource_dir.startsWith(join(home, 'data')));
  });
});
