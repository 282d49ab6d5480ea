import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentSchemas, hasSchema, parseContent } from '../../../src/protocol/content.js';

/** The problem parseContent reports (fails when the content fits). */
function problem(type: Parameters<typeof parseContent>[0], content: unknown): string {
  const parsed = parseContent(type, content);
  assert.equal(parsed.ok, false, `${type} ${JSON.stringify(content)} should not fit`);
  return parsed.ok ? '' : parsed.problem;
}

describe('content schemas', () => {
  test('execute_request gets the protocol defaults and drops unknown fields', () => {
    assert.deepEqual(parseContent('execute_request', { code: 'x', extra: 1 }), {
      ok: true,
      content: { code: 'x', silent: false, store_history: true, user_expressions: {}, allow_stdin: true, stop_on_error: true },
    });
  });

  test('problems name the field and quote what it held', () => {
    assert.equal(problem('execute_request', { code: 123 }), 'execute_request: content.code: expected string, got 123');
    assert.equal(problem('execute_request', {}), 'execute_request: content.code is missing');
    assert.equal(problem('complete_request', { code: '', cursor_pos: -5 }), 'complete_request: content.cursor_pos: expected >=0, got -5');
    assert.match(problem('complete_request', { code: '', cursor_pos: 1.5 }), /content\.cursor_pos: expected integer, got 1\.5/);
    assert.match(problem('complete_request', { code: '', cursor_pos: '3' }), /content\.cursor_pos: expected number, got "3"/);
    assert.equal(problem('kernel_info_request', []), 'kernel_info_request: content must be a JSON object, got array');
    assert.equal(problem('shutdown_request', { restart: 'yes' }), 'shutdown_request: content.restart: expected boolean, got "yes"');
    assert.match(
      problem('execute_request', { code: 'x', user_expressions: { a: 1 } }),
      /content\.user_expressions: expected an object of expression strings, got {"a":1}/,
    );
    assert.match(problem('history_request', { hist_access_type: 'all' }), /content\.hist_access_type: expected .*"tail".*, got "all"/);
    assert.match(problem('comm_open', { target_name: 't' }), /content\.comm_id is missing/);
    assert.match(problem('input_reply', { value: 7 }), /content\.value: expected string, got 7/);
  });

  test('a huge wrong value is quoted short', () => {
    const p = problem('complete_request', { code: '', cursor_pos: 'x'.repeat(100_000) });
    assert.ok(p.length < 200, p);
  });

  test('null stands for an absent optional position or range', () => {
    assert.deepEqual(parseContent('complete_request', { code: 'ab', cursor_pos: null }), {
      ok: true,
      content: { code: 'ab', cursor_pos: null },
    });
    const history = parseContent('history_request', { hist_access_type: 'range', session: null, start: 1, stop: null });
    assert.equal(history.ok, true);
  });

  test('every message type the runtime serves has a schema', () => {
    for (const type of ['execute_request', 'comm_open', 'comm_msg', 'comm_close', 'input_reply', 'interrupt_request']) {
      assert.ok(hasSchema(type), type);
    }
    assert.equal(hasSchema('no_such_request'), false);
    assert.equal(hasSchema('toString'), false);
    assert.equal(Object.keys(contentSchemas).length, 13);
  });
});
