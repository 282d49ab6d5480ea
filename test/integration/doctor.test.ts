// `icuda doctor` as a user runs it: real nvcc and node; a GPU, profilers and a broken nvcc
// played by small fake executables first on PATH; the Jupyter that is on PATH asked for its
// kernelspecs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';

const icuda = join(packageRoot, 'bin', 'icuda.js');
const venvBin = join(packageRoot, '.venv', 'bin');
const skipJupyter = missingClient();

/** Runs `icuda doctor` with an environment. */
function doctor(env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [icuda, 'doctor'], { env, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes an executable shell script. */
async function fake(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('icuda doctor', () => {
  let home: string;
  let fakes: string;
  let base: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-doctor-test-'));
    fakes = join(home, 'bin');
    await mkdir(fakes);
    base = {
      ...process.env,
      JUPYTER_DATA_DIR: join(home, 'data'),
      JUPYTER_PATH: '',
      JUPYTER_CONFIG_DIR: join(home, 'cfg'),
      VIRTUAL_ENV: join(home, 'venv'),
      CONDA_PREFIX: '',
    };
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('reports each check; GPU and profilers found through fakes; exit 0', async () => {
    await fake(fakes, 'nvidia-smi', 'echo "NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB"');
    for (const tool of ['ncu', 'nsys', 'compute-sanitizer', 'cuobjdump']) await fake(fakes, tool, 'exit 0');
    const r = doctor({ ...base, PATH: `${fakes}:${process.env.PATH}` });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok +Node\.js +v\d+/m);
    assert.match(r.stdout, /^ok +zeromq addon +libzmq \d/m);
    assert.match(r.stdout, /^ok +nvcc +\S+nvcc \(CUDA \d+\.\d+\)/m);
    assert.match(r.stdout, /^ok +host compiler/m);
    assert.match(r.stdout, /^ok +GPU and driver +NVIDIA H100 80GB HBM3, 550\.54\.15/m);
    for (const tool of ['ncu', 'nsys', 'compute-sanitizer', 'cuobjdump'])
      assert.match(r.stdout, new RegExp(`^ok +${tool} +${fakes}/${tool}`, 'm'));
    assert.match(r.stdout, /icuda is ready/);
  });

  test('no GPU and no profilers are warnings with a fix, not failures', () => {
    const r = doctor({ ...base, PATH: `${fakes}-absent:${process.env.PATH}` });
    assert.equal(r.status, 0, r.stdout);
    if (!/^ok +GPU/m.test(r.stdout)) assert.match(r.stdout, /^warn +GPU and driver +none usable[^\n]*\n +fix: /m);
    assert.match(r.stdout, /^(ok|warn) +ncu/m);
  });

  test('the kernelspec is looked up in the Jupyter on PATH', { skip: skipJupyter }, () => {
    const env = { ...base, PATH: `${venvBin}:${process.env.PATH}` };
    const before = doctor(env);
    assert.match(before.stdout, new RegExp(`^ok +Jupyter +${venvBin}/jupyter`, 'm'));
    assert.match(before.stdout, /^warn +kernelspec +this Jupyter \(.*\) has no icuda kernelspec\n +fix: icuda install --user/m);
    assert.equal(spawnSync(process.execPath, [icuda, 'install', '--user'], { env }).status, 0);
    const after = doctor(env);
    assert.match(after.stdout, new RegExp(`^ok +kernelspec icuda +${join(home, 'data', 'kernels', 'icuda')} \\("CUDA"\\)`, 'm'));
    const none = doctor({ ...base, PATH: '/usr/bin:/bin:/usr/local/bin' });
    if (!/^ok +Jupyter/m.test(none.stdout)) assert.match(none.stdout, /^warn +Jupyter +no jupyter on PATH/m);
  });

  test('an nvcc that cannot compile is a failure with a fix, exit 1', async () => {
    const nvcc = await fake(
      fakes,
      'broken-nvcc',
      'case "$1" in --version) echo "Cuda compilation tools, release 12.4, V12.4.131";; *) echo "unsupported GNU version! gcc versions later than 13 are not supported!" >&2; exit 1;; esac',
    );
    const r = doctor({ ...base, NVCC: nvcc });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /^ok +nvcc +\S+broken-nvcc \(CUDA 12\.4\)/m);
    assert.match(r.stdout, /^FAIL +host compiler +nvcc cannot compile a probe: unsupported GNU version![^\n]*\n +fix: install a g\+\+/m);
    assert.match(r.stdout, /1 required check\(s\) failed/);
  });
});
