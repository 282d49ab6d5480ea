// Completion, inspection, is_complete and history through jupyter_client: cursor positions in
// code points with non-ASCII text before the cursor, and history kept across a restart.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { missingClient, TestKernel } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

describe('help, completion and history through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  /** complete_request at a cursor given in code points. */
  const complete = async (code: string, cursor = [...code].length) =>
    (await k.request('complete_request', { code, cursor_pos: cursor })).reply.content;

  test('CUDA names complete with cursor positions in code points after non-ASCII text', async () => {
    const code = '// naïve 𝄞 — ünïcode\nint x = __shfl_do';
    const reply = await complete(code);
    assert.equal(reply.status, 'ok');
    assert.deepEqual(reply.matches, ['__shfl_down_sync']);
    assert.equal(reply.cursor_end, [...code].length);
    assert.equal(reply.cursor_start, [...code].length - '__shfl_do'.length);
    const types = reply.metadata._jupyter_types_experimental;
    assert.equal(types[0].type, 'intrinsic');
    assert.match(types[0].signature, /__shfl_down_sync\(unsigned mask/);
    assert.ok((await complete('𝄞 cudaMemcpy')).matches.includes('cudaMemcpyAsync'));
    assert.ok((await complete('__glo')).matches.includes('__global__'));
    assert.ok((await complete('int i = threadI')).matches.includes('threadIdx'));
    assert.ok((await complete('atomicA')).matches.includes('atomicAdd'));
  });

  test('magics complete after %, and header names inside #include', async () => {
    const magics = await complete('%che');
    assert.deepEqual(magics.matches, ['%check']);
    assert.equal(magics.cursor_start, 0);
    const header = await complete('// ✓\n#include "icu');
    assert.deepEqual(header.matches, ['icuda.h']);
    assert.equal(header.cursor_start, [...'// ✓\n#include "'].length);
    assert.ok((await complete('#include <cuda_r')).matches.includes('cuda_runtime.h'));
  });

  test('inspect shows the signature and description of CUDA names and the help of magics', async () => {
    const inspect = async (code: string, cursor: number) =>
      (await k.request('inspect_request', { code, cursor_pos: cursor, detail_level: 0 })).reply.content;
    const code = '// 𝄞 é\nint v = __shfl_down_sync(m, x, 1);';
    const found = await inspect(code, [...code].indexOf('_') + 5);
    assert.equal(found.found, true);
    assert.match(
      found.data['text/plain'],
      /^T __shfl_down_sync\(unsigned mask, T var, unsigned delta, int width = warpSize\)\n\n.*warp reduction/,
    );
    assert.match((await inspect('cudaMalloc(&p, n);', 3)).data['text/plain'], /cudaError_t cudaMalloc\(void \*\*devPtr, size_t size\)/);
    assert.match((await inspect('%check', 3)).data['text/plain'], /^%check\n\n.*kernel launch/);
    assert.equal((await inspect('nothing_here', 3)).found, false);
  });

  test('is_complete: open brackets, strings and comments are incomplete; stray closers invalid', async () => {
    const status = async (code: string) => (await k.request('is_complete_request', { code })).reply.content.status;
    assert.equal(await status('int main() {\n  return 0;\n}\n'), 'complete');
    assert.equal(await status('int main() {\n'), 'incomplete');
    assert.equal(await status('int a[] = {1, 2,'), 'incomplete');
    assert.equal(await status('/* still open'), 'incomplete');
    assert.equal(await status('const char *s = "open'), 'incomplete');
    assert.equal(await status('int x; // a comment with { inside'), 'complete');
    assert.equal(await status('/* } */ int y;'), 'complete');
    assert.equal(await status('int main() { return 0; }}'), 'invalid');
    assert.equal(await status('f(]'), 'invalid');
  });

  test('history: tail, range and search of executed cells, kept across a restart', async () => {
    const cells = ['%env A=1', '%env B=2', '%env A=1', '%timeout 5'];
    for (const cell of cells) assert.equal((await k.execute(cell)).reply.content.status, 'ok');
    await k.execute('%env SILENT=1', { silent: true });
    await k.execute('%env UNSTORED=1', { store_history: false });
    const history = async (content: object) =>
      (await k.request('history_request', { output: false, raw: true, ...content })).reply.content.history;
    const tail = await history({ hist_access_type: 'tail', n: 10 });
    assert.deepEqual(
      tail.map((e: unknown[]) => e[2]),
      cells,
    );
    const session = tail[0][0];
    assert.deepEqual(
      tail.map((e: unknown[]) => e[1]),
      [1, 2, 3, 4],
    );
    assert.deepEqual(await history({ hist_access_type: 'range', session: 0, start: 2, stop: 4 }), [
      [session, 2, '%env B=2'],
      [session, 3, '%env A=1'],
    ]);
    assert.deepEqual(
      (await history({ hist_access_type: 'search', pattern: '%env A*' })).map((e: unknown[]) => e[1]),
      [1, 3],
    );
    assert.deepEqual(
      (await history({ hist_access_type: 'search', pattern: '%env ?=*', unique: true })).map((e: unknown[]) => e[1]),
      [2, 3],
    );
    assert.deepEqual(await history({ hist_access_type: 'tail', n: 1, output: true }), [[session, 4, ['%timeout 5', null]]]);

    await k.lifecycle('restart');
    assert.equal((await k.execute('%env AFTER=restart')).reply.content.status, 'ok');
    const later = await history({ hist_access_type: 'tail', n: 3 });
    assert.deepEqual(later, [
      [session, 3, '%env A=1'],
      [session, 4, '%timeout 5'],
      [session + 1, 1, '%env AFTER=restart'],
    ]);
    assert.deepEqual(
      (await history({ hist_access_type: 'range', session: -1 })).map((e: unknown[]) => e[2]),
      cells,
      'the previous session by its relative number',
    );
    const file = await readFile(join(k.home, 'data', 'icuda', 'history.jsonl'), 'utf8');
    assert.equal(file.trimEnd().split('\n').length, 5, 'one JSON line per stored cell');
  });
});
