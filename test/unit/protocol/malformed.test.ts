import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestChannel } from '../../../src/protocol/messages.js';
import { MarkerInterpreter } from '../../support/marker-interpreter.js';
import { Harness } from './harness.js';

/** Malformed requests of every type served, the field each gets wrong, and a pattern of the problem. */
const CASES: [RequestChannel, string, unknown, RegExp][] = [
  ['shell', 'execute_request', { code: 123 }, /content\.code: expected string, got 123/],
  ['shell', 'execute_request', { silent: false }, /content\.code is missing/],
  ['shell', 'execute_request', { code: 'print:x', silent: 'no' }, /content\.silent: expected boolean, got "no"/],
  ['shell', 'complete_request', { code: 'ab', cursor_pos: -5 }, /content\.cursor_pos: expected >=0, got -5/],
  ['control', 'complete_request', { code: 'ab', cursor_pos: 1.5 }, /content\.cursor_pos: expected integer, got 1\.5/],
  ['shell', 'complete_request', { cursor_pos: 1 }, /content\.code is missing/],
  ['shell', 'inspect_request', { cursor_pos: 0 }, /content\.code is missing/],
  ['shell', 'inspect_request', { code: 'x', detail_level: 2 }, /content\.detail_level: expected \(0 \| 1\), got 2/],
  ['shell', 'is_complete_request', { code: 123 }, /content\.code: expected string, got 123/],
  ['control', 'kernel_info_request', [], /content must be a JSON object, got array/],
  ['shell', 'kernel_info_request', null, /content must be a JSON object, got null/],
  ['shell', 'history_request', { hist_access_type: 'all' }, /content\.hist_access_type: expected .*got "all"/],
  ['control', 'history_request', { hist_access_type: 'tail', n: 'ten' }, /content\.n: expected number, got "ten"/],
  ['shell', 'comm_info_request', { target_name: 5 }, /content\.target_name: expected string, got 5/],
  ['control', 'shutdown_request', { restart: 'yes' }, /content\.restart: expected boolean, got "yes"/],
  ['control', 'interrupt_request', 'now', /content must be a JSON object, got string/],
];

describe('malformed content', () => {
  for (const [channel, type, content, expected] of CASES) {
    test(`${type} on ${channel} with ${JSON.stringify(content)}: a BadRequest reply, nothing done`, async () => {
      const interp = new MarkerInterpreter();
      const h = new Harness(interp);
      const id = h.request(channel, type, content);
      await h.settle();
      const reply = h.reply(id);
      assert.equal(reply.header.msg_type, type.replace(/_request$/, '_reply'));
      assert.equal(reply.content.status, 'error');
      assert.equal(reply.content.ename, 'BadRequest');
      assert.match(String(reply.content.evalue), new RegExp(`^${type}: `));
      assert.match(String(reply.content.evalue), expected);
      assert.deepEqual(reply.content.traceback, []);
      assert.deepEqual(h.iopubTypes(id), ['status:busy', 'status:idle'], 'busy and idle, and nothing between');
      assert.deepEqual(interp.events, [], 'nothing ran');
      assert.deepEqual(interp.shutdowns, [], 'no shutdown');
      assert.equal(h.closed, 0);
    });
  }

  test('a malformed execute_request: current count in the reply, none advanced, stop_on_error not triggered', async () => {
    const interp = new MarkerInterpreter();
    const h = new Harness(interp);
    h.execute('');
    const bad = h.request('shell', 'execute_request', { code: ['print:x'], stop_on_error: true });
    const next = h.execute('count');
    await h.settle();
    assert.deepEqual(h.reply(bad).content, {
      status: 'error',
      execution_count: 1,
      ename: 'BadRequest',
      evalue: 'execute_request: content.code: expected string, got ["print:x"]',
      traceback: [],
    });
    assert.equal(h.reply(next).content.status, 'ok', 'the execute queued behind it was not aborted');
    assert.equal(h.reply(next).content.execution_count, 2);
    assert.deepEqual(interp.events, ['start ', 'end ', 'start count', 'end count']);
  });

  test('a malformed execute queued behind a failure is answered aborted, as any queued execute', async () => {
    const h = new Harness(new MarkerInterpreter());
    h.execute('fail:x');
    const queued = h.request('shell', 'execute_request', { code: 5 });
    await h.settle();
    assert.deepEqual(h.reply(queued).content, { status: 'aborted', execution_count: 1 });
  });

  test('an interrupt_request with malformed content does not interrupt', async () => {
    const h = new Harness(new MarkerInterpreter());
    const running = h.execute('wait');
    await h.until(() => h.iopubTypes(running).includes('execute_input'));
    const bad = h.request('control', 'interrupt_request', [1]);
    await h.until(() => h.of(bad).some((s) => s.channel === 'control'));
    assert.equal(h.reply(bad).content.ename, 'BadRequest');
    assert.equal(h.of(running).filter((s) => s.channel === 'shell').length, 0, 'still running');
    h.request('control', 'interrupt_request');
    await h.settle();
    assert.equal(h.reply(running).content.ename, 'Interrupted');
  });

  test('malformed comm messages (no reply expected) are logged and dropped; busy and idle still wrap them', async () => {
    const h = new Harness(new MarkerInterpreter(['t']));
    const ids = [
      h.request('shell', 'comm_open', { target_name: 't', data: {} }),
      h.request('shell', 'comm_open', { comm_id: 7, target_name: 'nobody' }),
      h.request('shell', 'comm_msg', { data: {} }),
      h.request('shell', 'comm_close', { comm_id: 'c', data: [] }),
    ];
    await h.settle();
    for (const id of ids) {
      assert.deepEqual(h.iopubTypes(id), ['status:busy', 'status:idle'], 'no comm_close and no reply');
      assert.equal(h.of(id).filter((s) => s.channel === 'shell').length, 0);
    }
    assert.deepEqual(h.comms.list(), {});
  });

  test('a malformed input_reply fails the pending input, saying why', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('input:Name? ');
    await h.until(() => h.sent.some((s) => s.channel === 'stdin'));
    const request = h.sent.find((s) => s.channel === 'stdin')!.msg;
    h.stdin.receive({
      ...request,
      header: { ...request.header, msg_type: 'input_reply' },
      parent_header: request.header,
      content: { value: 42 },
    });
    await h.settle();
    assert.equal(h.reply(id).content.status, 'error');
    assert.match(String(h.reply(id).content.evalue), /malformed input_reply.*content\.value: expected string, got 42/);
  });

  test('well-formed requests with optional fields missing keep the defaults', async () => {
    const h = new Harness(new MarkerInterpreter());
    const ids = [
      h.request('shell', 'kernel_info_request', { unknown_field: 1 }),
      h.request('shell', 'history_request', {}),
      h.request('control', 'shutdown_request', {}),
    ];
    await h.settle();
    assert.equal(h.reply(ids[0]).content.status, 'ok');
    assert.deepEqual(h.reply(ids[1]).content, { status: 'ok', history: [] });
    assert.deepEqual(h.reply(ids[2]).content, { status: 'ok', restart: false });
  });
});
