// The README's main job, as a user runs it: nbconvert executes examples/hello.ipynb with the
// installed kernel (nbclient under the hood), and jupyter console talks to the kernel.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';

const bin = join(packageRoot, '.venv', 'bin');
const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** Text of a code cell's stream outputs of one name. */
const streamOf = (cell: any, name: string) =>
  cell.outputs
    .filter((o: any) => o.output_type === 'stream' && o.name === name)
    .map((o: any) => o.text)
    .join('');

describe('notebooks and consoles', { skip }, () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-nb-'));
    env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_RUNTIME_DIR: join(home, 'rt'), TMPDIR: home };
    execFileSync(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'install', '--user'], { env });
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('nbconvert --execute fills examples/hello.ipynb with its outputs', async () => {
    execFileSync(
      join(bin, 'jupyter'),
      ['nbconvert', '--to', 'notebook', '--execute', '--output-dir', home, join(packageRoot, 'examples', 'hello.ipynb')],
      { env, stdio: 'pipe' },
    );
    const nb = JSON.parse(await readFile(join(home, 'hello.ipynb'), 'utf8'));
    const code = nb.cells.filter((c: any) => c.cell_type === 'code');
    assert.deepEqual(
      code.map((c: any) => c.execution_count),
      [1, 2, 3],
    );
    assert.equal(streamOf(code[0], 'stdout'), 'Hello from the host!\n');
    assert.equal(streamOf(code[1], 'stdout'), '1/3 steps done\n2/3 steps done\n3/3 steps done\n');
    const vector = code[2];
    const error = vector.outputs.find((o: any) => o.output_type === 'error');
    if (error) {
      // no usable GPU here: the program names the CUDA error and the cell fails
      assert.equal(error.ename, 'RuntimeError');
      assert.match(streamOf(vector, 'stderr'), /CUDA error: .*(driver|device)/);
    } else {
      assert.match(streamOf(vector, 'stdout'), /vector add of 1048576 elements: correct/);
    }
  });

  test('jupyter console runs cells against the kernel', () => {
    const r = spawnSync(join(bin, 'jupyter'), ['console', '--kernel', 'icuda', '--simple-prompt', '--no-confirm-exit'], {
      env,
      input: '%default_flags -DANSWER=42\n%default_flags\nexit\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /-DANSWER=42/);
  });
});
