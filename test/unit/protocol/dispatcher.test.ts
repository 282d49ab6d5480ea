import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MarkerInterpreter } from '../../support/marker-interpreter.js';
import { Harness } from './harness.js';

describe('dispatcher', () => {
  test('shell requests run one at a time, in arrival order', async () => {
    const interp = new MarkerInterpreter();
    const h = new Harness(interp);
    h.execute('sleep:30');
    h.execute('sleep:1');
    h.execute('print:x');
    await h.settle();
    assert.deepEqual(interp.events, ['start sleep:30', 'end sleep:30', 'start sleep:1', 'end sleep:1', 'start print:x', 'end print:x']);
  });

  test('control is served while shell is busy, and interrupt ends the execution', async () => {
    const h = new Harness(new MarkerInterpreter());
    const running = h.execute('wait');
    await h.until(() => h.iopubTypes(running).includes('execute_input'));
    const info = h.request('control', 'kernel_info_request');
    await h.until(() => h.of(info).some((s) => s.channel === 'control'));
    assert.equal(h.reply(info).content.status, 'ok');
    assert.equal(h.of(running).filter((s) => s.channel === 'shell').length, 0, 'the execution is still running');
    const interrupt = h.request('control', 'interrupt_request');
    await h.settle();
    assert.equal(h.reply(interrupt).content.status, 'ok');
    assert.equal(h.reply(running).content.status, 'error');
    assert.equal(h.reply(running).content.ename, 'Interrupted');
  });

  test('every shell and control request is wrapped in busy and idle', async () => {
    const h = new Harness(new MarkerInterpreter());
    const ids = [
      h.execute('print:a'),
      h.request('shell', 'kernel_info_request'),
      h.request('control', 'kernel_info_request'),
      h.request('shell', 'no_such_request'),
    ];
    await h.settle();
    for (const id of ids) {
      const types = h.iopubTypes(id);
      assert.equal(types[0], 'status:busy', id);
      assert.equal(types.at(-1), 'status:idle', id);
    }
    assert.deepEqual(h.iopubTypes(ids[0]), ['status:busy', 'execute_input', 'stream', 'status:idle']);
    assert.equal(h.of(ids[3]).filter((s) => s.channel === 'shell').length, 0, 'no reply to an unknown type');
  });

  test('a request on the wrong channel gets a WrongChannel error; introspection is served on control', async () => {
    const h = new Harness(new MarkerInterpreter());
    const onControl = h.request('control', 'execute_request', { code: 'print:a', silent: false });
    const onShell = h.request('shell', 'interrupt_request');
    const complete = h.request('control', 'is_complete_request', { code: 'int x;' });
    await h.settle();
    for (const id of [onControl, onShell]) {
      assert.equal(h.reply(id).content.status, 'error');
      assert.equal(h.reply(id).content.ename, 'WrongChannel');
    }
    assert.equal(h.reply(complete).header.msg_type, 'is_complete_reply');
    assert.equal(h.iopubTypes(onControl).includes('stream'), false, 'nothing ran');
  });

  test('a handler that throws is answered as InternalError, and idle still follows', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.request('shell', 'inspect_request', { code: 'throw', cursor_pos: 1, detail_level: 0 });
    await h.settle();
    const reply = h.reply(id);
    assert.equal(reply.header.msg_type, 'inspect_reply');
    assert.equal(reply.content.status, 'error');
    assert.equal(reply.content.ename, 'InternalError');
    assert.match(String(reply.content.evalue), /inspect exploded/);
    assert.equal(h.iopubTypes(id).at(-1), 'status:idle');
  });

  test('an interpreter that throws in execute gives an InternalError reply with the count', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('throw:boom');
    await h.settle();
    assert.deepEqual(h.reply(id).content, {
      ...h.reply(id).content,
      status: 'error',
      ename: 'InternalError',
      evalue: 'boom',
      execution_count: 1,
    });
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'execute_input', 'error', 'status:idle']);
  });

  test('stop_on_error aborts the executes queued behind a failure; others run', async () => {
    const interp = new MarkerInterpreter();
    const h = new Harness(interp);
    const failed = h.execute('fail:nope');
    const queued1 = h.execute('print:a');
    const info = h.request('shell', 'kernel_info_request');
    const queued2 = h.execute('print:b');
    await h.settle();
    assert.equal(h.reply(failed).content.status, 'error');
    for (const id of [queued1, queued2]) {
      assert.deepEqual(h.reply(id).content, { status: 'aborted', execution_count: 1 });
      assert.deepEqual(h.iopubTypes(id), ['status:busy', 'status:idle']);
    }
    assert.equal(h.reply(info).content.status, 'ok');
    assert.deepEqual(interp.events, ['start fail:nope', 'end fail:nope']);
    const later = h.execute('print:c');
    await h.settle();
    assert.deepEqual(h.reply(later).content, { status: 'ok', execution_count: 2, user_expressions: {}, payload: [] });
  });

  test('stop_on_error false lets the queue run', async () => {
    const h = new Harness(new MarkerInterpreter());
    const failed = h.execute('fail:nope', { stop_on_error: false });
    const next = h.execute('print:a');
    await h.settle();
    assert.equal(h.reply(failed).content.status, 'error');
    assert.equal(h.reply(next).content.status, 'ok');
  });

  test('error outcome: error on iopub, the same fields in the reply', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('print:before\nfail:bad thing');
    await h.settle();
    const error = h.of(id).find((s) => s.msg.header.msg_type === 'error')!.msg.content;
    assert.deepEqual(error, { ename: 'MarkerError', evalue: 'bad thing', traceback: ['MarkerError: bad thing'] });
    assert.deepEqual(h.reply(id).content, { status: 'error', execution_count: 1, ...error });
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'execute_input', 'stream', 'error', 'status:idle']);
  });

  test('execution_count grows only for non-silent requests; silent ones broadcast no input or result', async () => {
    const h = new Harness(new MarkerInterpreter());
    const a = h.execute('result:1');
    const s = h.execute('result:2', { silent: true });
    const b = h.execute('result:3');
    await h.settle();
    assert.equal(h.reply(a).content.execution_count, 1);
    assert.equal(h.reply(s).content.execution_count, 1);
    assert.equal(h.reply(b).content.execution_count, 2);
    assert.deepEqual(h.iopubTypes(s), ['status:busy', 'status:idle']);
    const result = h.of(b).find((x) => x.msg.header.msg_type === 'execute_result')!.msg.content;
    assert.deepEqual(result, { execution_count: 2, data: { 'text/plain': '3' }, metadata: {} });
  });

  test('displays carry their display_id; updates follow in order', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('display:d1:one\nupdate:d1:two');
    await h.settle();
    const [display, update] = h
      .of(id)
      .filter((s) => s.msg.header.msg_type.includes('display'))
      .map((s) => s.msg.content);
    assert.deepEqual(display, { data: { 'text/plain': 'one' }, metadata: {}, transient: { display_id: 'd1' } });
    assert.deepEqual(update, { data: { 'text/plain': 'two' }, metadata: {}, transient: { display_id: 'd1' } });
  });

  test('input goes to the requester on stdin and its reply resumes the execution', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('input:Name? ');
    await h.until(() => h.sent.some((s) => s.channel === 'stdin'));
    const request = h.sent.find((s) => s.channel === 'stdin')!.msg;
    assert.deepEqual(request.content, { prompt: 'Name? ', password: false });
    assert.deepEqual(request.identities, [Buffer.from('frontend')]);
    h.stdin.receive({
      ...request,
      header: { ...request.header, msg_type: 'input_reply' },
      parent_header: request.header,
      content: { value: 'Ada' },
    });
    await h.settle();
    const stream = h.of(id).find((s) => s.msg.header.msg_type === 'stream')!.msg.content;
    assert.deepEqual(stream, { name: 'stdout', text: 'Ada' });
  });

  test('input without allow_stdin fails the execution', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.execute('input:x', { allow_stdin: false });
    await h.settle();
    assert.equal(h.reply(id).content.status, 'error');
    assert.match(String(h.reply(id).content.evalue), /allow_stdin/);
  });

  test('shutdown: interpreter cleaned up, reply on the channel and on iopub, close after idle', async () => {
    const interp = new MarkerInterpreter();
    const h = new Harness(interp);
    const id = h.request('control', 'shutdown_request', { restart: true });
    await h.settle();
    assert.deepEqual(interp.shutdowns, [true]);
    assert.deepEqual(h.reply(id).content, { status: 'ok', restart: true });
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'shutdown_reply', 'status:idle']);
    assert.equal(h.closed, 1);
  });

  test('comm_open is answered with comm_close; comm_info is empty', async () => {
    const h = new Harness(new MarkerInterpreter());
    const open = h.request('shell', 'comm_open', { comm_id: 'c-1', target_name: 'nobody', data: {} });
    const info = h.request('shell', 'comm_info_request');
    await h.settle();
    assert.deepEqual(h.iopubTypes(open), ['status:busy', 'comm_close', 'status:idle']);
    assert.equal(h.of(open).filter((s) => s.channel === 'shell').length, 0);
    assert.deepEqual(h.reply(info).content, { status: 'ok', comms: {} });
  });

  test('replies keep the identities and parent header of the request', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.request('shell', 'kernel_info_request');
    await h.settle();
    const reply = h.reply(id);
    assert.deepEqual(reply.identities, [Buffer.from('frontend')]);
    assert.equal(reply.header.session, h.session.id);
    assert.equal(reply.header.version, '5.5');
    assert.match(reply.header.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
    assert.equal(reply.content.protocol_version, '5.5');
    assert.equal(reply.content.implementation, 'marker');
  });
});
