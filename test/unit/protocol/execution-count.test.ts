import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MarkerInterpreter } from '../../support/marker-interpreter.js';
import { Harness } from './harness.js';

/** The stdout text of request `id`. */
function stdout(h: Harness, id: string): string {
  return h
    .of(id)
    .filter((s) => s.msg.header.msg_type === 'stream')
    .map((s) => String(s.msg.content.text))
    .join('');
}

describe('execution_count', () => {
  test('advances only for requests that are not silent and store history', async () => {
    const interp = new MarkerInterpreter();
    const h = new Harness(interp);
    const first = h.execute('count');
    const noHistory = h.execute('count', { store_history: false });
    const silent = h.execute('count', { silent: true });
    const silentStoring = h.execute('count', { silent: true, store_history: true });
    const second = h.execute('count');
    await h.settle();
    const counts = [first, noHistory, silent, silentStoring, second].map((id) => h.reply(id).content.execution_count);
    assert.deepEqual(counts, [1, 1, 1, 1, 2]);
    assert.deepEqual(
      interp.contexts.map((c) => [c.executionCount, c.silent, c.storeHistory]),
      [
        [1, false, true],
        [1, false, false],
        [1, true, false],
        [1, true, false],
        [2, false, true],
      ],
      'the context carries the count the request got, and a silent request never stores history',
    );
    assert.equal(stdout(h, noHistory), '1');
  });

  test('store_history false still broadcasts execute_input and a result with the unchanged count', async () => {
    const h = new Harness(new MarkerInterpreter());
    h.execute('');
    const id = h.execute('result:r', { store_history: false });
    await h.settle();
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'execute_input', 'execute_result', 'status:idle']);
    const input = h.of(id).find((s) => s.msg.header.msg_type === 'execute_input')!.msg.content;
    assert.deepEqual(input, { code: 'result:r', execution_count: 1 });
    const result = h.of(id).find((s) => s.msg.header.msg_type === 'execute_result')!.msg.content;
    assert.equal(result.execution_count, 1);
    assert.deepEqual(h.reply(id).content, { status: 'ok', execution_count: 1, user_expressions: {}, payload: [] });
  });

  test('a request without silent or store_history gets the defaults: it counts', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.request('shell', 'execute_request', { code: 'count' });
    await h.settle();
    assert.equal(h.reply(id).content.execution_count, 1);
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'execute_input', 'stream', 'status:idle']);
  });

  test('a failed store_history false request still triggers stop_on_error, without counting', async () => {
    const h = new Harness(new MarkerInterpreter());
    const failed = h.execute('fail:x', { store_history: false });
    const queued = h.execute('print:y');
    await h.settle();
    assert.deepEqual(h.reply(failed).content.execution_count, 0);
    assert.deepEqual(h.reply(queued).content, { status: 'aborted', execution_count: 0 });
  });
});
