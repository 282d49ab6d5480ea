// The example notebooks run as a user (and CI) runs them: nbconvert --execute with the installed
// kernel; without a GPU their device parts say so and the notebooks still run through.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** Text of a code cell's stream outputs of one name (nbformat may store text as a list of lines). */
const streamOf = (cell: any, name = 'stdout') =>
  cell.outputs
    .filter((o: any) => o.output_type === 'stream' && o.name === name)
    .map((o: any) => [o.text].flat().join(''))
    .join('');
const errorsOf = (cell: any) => cell.outputs.filter((o: any) => o.output_type === 'error');
/** Each display_data's bundle, every value joined to one string. */
const displaysOf = (cell: any) =>
  cell.outputs
    .filter((o: any) => o.output_type === 'display_data')
    .map((o: any) => Object.fromEntries(Object.entries(o.data).map(([mime, v]) => [mime, [v].flat().join('')])));

describe('example notebooks execute with nbconvert', { skip }, () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'icuda-examples-'));
    env = { ...process.env, JUPYTER_DATA_DIR: join(home, 'data'), JUPYTER_RUNTIME_DIR: join(home, 'rt'), TMPDIR: home };
    execFileSync(process.execPath, [join(packageRoot, 'bin', 'icuda.js'), 'install', '--user'], { env });
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  /** Executes examples/NAME and answers its code cells with their outputs. */
  const execute = async (name: string): Promise<any[]> => {
    execFileSync(
      join(packageRoot, '.venv', 'bin', 'jupyter'),
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        '--ExecutePreprocessor.timeout=600',
        '--output-dir',
        home,
        join(packageRoot, 'examples', name),
      ],
      { env, stdio: 'pipe' },
    );
    const nb = JSON.parse(await readFile(join(home, name), 'utf8'));
    return nb.cells.filter((c: any) => c.cell_type === 'code');
  };
  const gpuOrNotice = /no usable GPU here|expected 5\.0|filled \d+ floats/;

  test('multi-cell.ipynb: %%file, %workspace, %sources, %rm', async () => {
    const [header, kernel, listing, main, removed] = await execute('multi-cell.ipynb');
    assert.match(streamOf(header), /^saved \d+ bytes as saxpy\.cuh in the workspace\n$/);
    assert.match(streamOf(kernel), /^saved \d+ bytes as saxpy\.cu in the workspace\n$/);
    assert.match(streamOf(listing), /saxpy\.cu +\d+ bytes\nsaxpy\.cuh +\d+ bytes\n/);
    assert.deepEqual(errorsOf(main), [], streamOf(main, 'stderr'));
    assert.match(streamOf(main), gpuOrNotice);
    assert.match(streamOf(removed), /^removed saxpy\.cu\nsaxpy\.cuh +\d+ bytes\n$/);
  });

  test('ptx-sass.ipynb: %%ptx, %resources, %%sass (or its missing-tool message)', async () => {
    const [ptx, resources, sass] = await execute('ptx-sass.ipynb');
    assert.match(streamOf(ptx), /^\/\/ reverse\(float\*\) \[sm_\d+\]: \d+ registers, 1024 B shared/);
    assert.match(streamOf(ptx), /\.visible \.entry _ZN8icuda_u\d+7reverseEPf/, 'a cell without main: the session unit it would load');
    assert.match(streamOf(resources), /^heavy\(double\*\) \[sm_\d+\]: \d+ registers.*\ncompiled; see the resource line above\n$/);
    const [error] = errorsOf(sass);
    if (error) assert.match(error.evalue, /%%sass needs cuobjdump or nvdisasm/);
    else assert.match(streamOf(sass), /sm_80/);
  });

  test('benchmarking.ipynb: %time, %bench of session cells hot and cold, a group of three, %gpuinfo', async () => {
    const [time, setup, , hot, cold, , check, atomic, shared, shuffle, shuffleCold, gpuinfo] = await execute('benchmarking.ipynb');
    assert.match(streamOf(time), /harmonic sum: [\d.]+\n%time: compile .+, run .+\n$/);
    assert.match(streamOf(setup), /^(3 x 16777216 floats on the GPU|no usable GPU here \(.+\): the benches below time failing calls)\n$/);
    const onGpu = streamOf(setup).includes('on the GPU');
    for (const [cell, name] of [
      [hot, 'vadd hot'],
      [cold, 'vadd cold'],
      [shuffleCold, 'shuffle cold'],
    ] as const) {
      assert.deepEqual(errorsOf(cell), [], name);
      const [table, chart] = displaysOf(cell);
      assert.match(table['text/plain'], onGpu ? /GPU time per repetition \(CUDA events\)/ : /host time per repetition/, name);
      assert.match(chart['image/svg+xml'], /<svg /);
      const record = cell.outputs.find((o: any) => o.metadata?.icuda?.bench).metadata.icuda.bench;
      assert.equal(record.name, name);
      assert.equal(record.cold, name.includes('cold'));
      if (onGpu) assert.match(table['text/plain'], /bandwidth +[\d.]+ GB\/s \([\d.]+ % of the \d+ GB\/s peak\)/);
      else assert.match(streamOf(cell, 'stderr'), /the GPU events failed/);
    }
    assert.match(streamOf(check), onGpu ? /^atomic +right: 16777216/ : /^atomic +not run: /);
    const group = displaysOf(shuffle).find((d: any) => d['text/plain'].startsWith('reduce:'));
    assert.match(group['text/plain'], /^reduce:\n {2}atomic {2}median .*\n {2}shared {2}median .*\n {2}shuffle {2}median /);
    for (const cell of [atomic, shared]) assert.deepEqual(errorsOf(cell), []);
    assert.match(displaysOf(gpuinfo)[0]['text/plain'], /nvcc +\d+\.\d+/);
  });

  test('session.ipynb: state across cells, a redefined kernel, %vars, a crash and %replay', async () => {
    const cells = await execute('session.ipynb');
    const [, setup, , , launch1, , launch2, vars, crash, empty, replay, after, program] = cells;
    const onGpu = /on the GPU/.test(streamOf(setup));
    assert.match(streamOf(setup), /1048576 floats ready (on the GPU|on the host only)\n$/);
    assert.match(streamOf(launch1), onGpu ? /^a = 2\.0: 0 of 1048576 elements wrong\n%time: / : /^no GPU: saxpy compiled/);
    assert.match(streamOf(launch2), onGpu ? /^a = 3\.0: 0 of 1048576 elements wrong\n$/ : /^no GPU: the grid-stride saxpy/);
    assert.match(
      displaysOf(vars)[0]['text/plain'],
      /^saxpy +kernel +__global__ void saxpy\(float a, const float \*x, float \*y, int n\);/m,
    );
    const [error] = errorsOf(crash);
    assert.equal(error.ename, onGpu ? 'CudaContextLost' : 'RuntimeError');
    assert.match(error.traceback.at(-1), /^The session was restarted: what cells \[1\], .* defined is lost \(%replay runs them again\)\.$/);
    assert.match(displaysOf(empty)[0]['text/plain'], /no session names yet/);
    assert.match(streamOf(replay), /^\[replay\] cell \[1\]\n\[replay\] cell \[2\]\n/);
    assert.doesNotMatch(streamOf(replay), /crashing/, 'the cell that crashed is not run again');
    assert.match(streamOf(after), /^after the replay: 1048576 floats/);
    assert.equal(streamOf(program), 'a whole program, beside the session\n');
  });

  test('introduction.ipynb: hello, checked vector add, unchecked-error notices, icuda.h displays, event timing', async () => {
    const [hello, gpuHello, vadd, check, rich, timing] = await execute('introduction.ipynb');
    const unavailable = /^icuda: CUDA unavailable: .* — no usable GPU\/driver on this machine/m;
    assert.equal(streamOf(hello), 'Hello from the host!\n');
    if (streamOf(gpuHello) === '') assert.match(streamOf(gpuHello, 'stderr'), unavailable);
    else assert.match(streamOf(gpuHello), /Hello from thread \d of block \d\n/);
    if (errorsOf(vadd).length) assert.match(streamOf(vadd, 'stderr'), /^CUDA error at line \d+: /);
    else assert.match(streamOf(vadd), /^added 1048576 floats, max error 0\n$/);
    assert.equal(streamOf(check), 'the program itself noticed nothing\n');
    assert.match(streamOf(check, 'stderr'), /^icuda: CUDA error after kernel launch #\d <<<.*>>>: /);
    const [intro, table, chart] = displaysOf(rich);
    assert.match(intro['text/markdown'], /Grid sizes/);
    assert.match(table['text/html'], /<td>1000<\/td><td>4<\/td><td>1024<\/td><td>24<\/td>/);
    assert.match(chart['image/svg+xml'], /^<svg /);
    assert.equal(streamOf(timing), 'timed 1 memset and 5 launches\n');
    const [times] = displaysOf(timing);
    assert.match(times['text/plain'], /\nmemset +1 .*\nscale +5 /s);
    if (unavailable.test(streamOf(timing, 'stderr'))) assert.match(times['text/plain'], /no kernel times: CUDA events failed/);
    else assert.match(times['text/plain'], /\nscale +5 +\d+\.\d{3}/);
  });
});
