// %bench on whole-program cells through jupyter_client (the stopping rule, the record and its
// environment, charts, groups, work), and icuda compare on notebooks executed by icuda run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/package-info.js';
import { missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';

const skip = missingClient();
const icuda = join(packageRoot, 'bin', 'icuda.js');
const VEGA = 'application/vnd.vegalite.v5+json';
const EMPTY = 'int main() { return 0; }\n';

const displays = (ex: Exchange) => ex.iopub.filter((m) => m.msg_type === 'display_data').map((m) => m.content);
const recordOf = (ex: Exchange) => displays(ex).find((d) => d.metadata?.icuda?.bench)?.metadata.icuda.bench;

describe('%bench on whole-program cells through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('runs until its rule stops it, warns when the noise target was not reached, and records the environment', async () => {
    const ex = await k.execute(`%bench --min 3 --max 8 --budget 0.3 --rsd 0.1 --name empty\n${EMPTY}`);
    assert.equal(ex.reply.content.status, 'ok', JSON.stringify(ex.reply.content));
    const [table, chart] = displays(ex);
    assert.match(
      table.data['text/plain'],
      /^\d+ runs after 1 warm-up, process wall time per run .*; stopped: (time budget spent|maximum count reached)/,
    );
    const record = recordOf(ex);
    assert.equal(record.name, 'empty');
    assert.equal(record.measure, 'process');
    assert.ok(record.samples.length >= 3 && record.samples.length <= 8, `${record.samples.length} samples`);
    assert.equal(record.stats.runs, record.samples.length);
    assert.match(streamText(ex, 'stderr'), /icuda %bench: the noise stayed at [\d.]+ %, above the 0\.1 % target/);
    const env = record.environment;
    assert.match(env.icudaVersion, /^\d+\.\d+\.\d+/);
    assert.match(env.nvccVersion, /^\d+\.\d+$/);
    assert.ok(typeof env.machine.host === 'string' && env.machine.date);
    if (env.machine.gpus.length === 0) assert.match(env.machine.unavailable.gpus, /nvidia-smi/, 'no GPU: the record says why');
    assert.equal(chart.data[VEGA].$schema, 'https://vega.github.io/schema/vega-lite/v5.json');
    assert.equal(chart.data[VEGA].data.values.length, record.samples.length);
    assert.match(chart.data['image/svg+xml'], /^<svg /);
  });

  test('--bytes in a program cell is arithmetic: the bandwidth is shown; anything else is a MagicError', async () => {
    const ex = await k.execute(`%bench -n 3 --bytes "2 * (1 << 20)"\n${EMPTY}`);
    const record = recordOf(ex);
    assert.equal(record.work.bytes, 2 * 1024 * 1024);
    assert.ok(record.work.bandwidthGBs > 0);
    assert.match(displays(ex)[0].data['text/plain'], /^bandwidth +[\d.]+ GB\/s$/m);
    const bad = await k.execute(`%bench -n 3 --bytes "n * 4"\n${EMPTY}`);
    assert.equal(bad.reply.content.ename, 'MagicError');
    assert.match(bad.reply.content.evalue, /cannot evaluate "n \* 4"/);
  });

  test('--group collects results across cells into one chart, updated where it was shown before', async () => {
    await k.execute(`%bench -n 3 --group pair --name first\n${EMPTY}`);
    const second = await k.execute(`%bench -n 3 --group pair --name second\n${EMPTY}`);
    const id = 'icuda-bench-group-pair';
    const update = second.iopub.find((m) => m.msg_type === 'update_display_data');
    assert.equal(update?.content.transient.display_id, id);
    const shown = displays(second).find((d) => d.transient?.display_id === id);
    assert.deepEqual(
      shown?.data[VEGA].data.values.map((v: { name: string }) => v.name),
      ['first', 'second'],
    );
    assert.equal((shown?.data['image/svg+xml'].match(/<rect /g) ?? []).length, 2);
  });
});

describe('icuda compare on notebooks executed by icuda run', { skip }, () => {
  let dir = '';
  let env: NodeJS.ProcessEnv;
  const run = (args: string[]) => spawnSync(process.execPath, [icuda, ...args], { env, encoding: 'utf8', timeout: 240_000 });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'icuda-compare-'));
    env = { ...process.env, ICUDA_CACHE_DIR: join(dir, 'cache'), ICUDA_HISTORY: 'off' };
    const cells = [
      '%bench -n 5 --name empty\nint main() { return 0; }\n',
      '%bench -n 5 --name hello\n#include <cstdio>\nint main() { puts("hi"); }\n',
    ];
    const nb = {
      cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, execution_count: null, metadata: {}, outputs: [], source })),
      metadata: { kernelspec: { name: 'icuda', display_name: 'CUDA', language: 'cuda' } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    await writeFile(join(dir, 'bench.ipynb'), JSON.stringify(nb));
    for (const out of ['a.ipynb', 'b.ipynb']) {
      const r = run(['run', join(dir, 'bench.ipynb'), '-o', join(dir, out)]);
      assert.equal(r.status, 0, r.stderr);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('icuda run records the machine in the notebook metadata', async () => {
    const nb = JSON.parse(await readFile(join(dir, 'a.ipynb'), 'utf8'));
    assert.ok(nb.metadata.icuda.machine.host);
    assert.match(nb.metadata.icuda.icuda_version, /^\d+\.\d+\.\d+/);
  });

  test('two runs compare result by result, as text, Markdown and JSON', () => {
    const text = run(['compare', join(dir, 'a.ipynb'), join(dir, 'b.ipynb')]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^name +base +new +change +noise \(base \/ new\) +verdict$/m);
    assert.match(text.stdout, /^empty +[\d.]+ ms +[\d.]+ ms +[+-][\d.]+ % .* (same within noise|faster|slower)$/m);
    assert.match(text.stdout, /^hello /m);
    assert.match(run(['compare', join(dir, 'a.ipynb'), join(dir, 'b.ipynb'), '--format', 'md']).stdout, /^\| name \| base \| new \|/);
    const json = JSON.parse(run(['compare', join(dir, 'a.ipynb'), join(dir, 'b.ipynb'), '--format', 'json']).stdout);
    assert.deepEqual(
      json.results.map((r: { name: string }) => r.name),
      ['empty', 'hello'],
    );
  });

  test('a result slower beyond the threshold (and its noise) fails the comparison with exit 1', async () => {
    // Known statistics (a busy machine's real noise could hide a 3x change): the same base, 3x slower.
    const nb = JSON.parse(await readFile(join(dir, 'b.ipynb'), 'utf8'));
    const setStats = (scale: number) => {
      for (const output of nb.cells[1].outputs) {
        const record = output.metadata?.icuda?.bench;
        if (record) record.stats = { ...record.stats, median: 10 * scale, rsd: 0.01 };
      }
    };
    setStats(1);
    await writeFile(join(dir, 'steady.ipynb'), JSON.stringify(nb));
    setStats(3);
    await writeFile(join(dir, 'slow.ipynb'), JSON.stringify(nb));
    const r = run(['compare', join(dir, 'steady.ipynb'), join(dir, 'slow.ipynb'), '--fail-above', '5%']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^hello .* slower$/m);
    assert.match(r.stderr, /1 result\(s\) slower by more than 5\.0 %: hello/);
    assert.equal(run(['compare', join(dir, 'steady.ipynb'), join(dir, 'slow.ipynb')]).status, 0, 'without --fail-above it only reports');
    assert.equal(run(['compare', join(dir, 'a.ipynb')]).status, 2, 'one notebook is a usage error');
  });
});
