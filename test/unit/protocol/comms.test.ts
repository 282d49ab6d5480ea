import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MarkerInterpreter } from '../../support/marker-interpreter.js';
import { Harness } from './harness.js';

/** A harness whose interpreter accepts the comm targets `status` and `other`. */
function harness(): { h: Harness; interp: MarkerInterpreter } {
  const interp = new MarkerInterpreter(['status', 'other']);
  return { h: new Harness(interp), interp };
}

/** The comm_msg contents caused by request `id`. */
function commMsgs(h: Harness, id: string): unknown[] {
  return h
    .of(id)
    .filter((s) => s.channel === 'iopub' && s.msg.header.msg_type === 'comm_msg')
    .map((s) => s.msg.content);
}

describe('comms', () => {
  test('comm_open for a known target stays open and comm_info lists it, filtered by target', async () => {
    const { h } = harness();
    const open = h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status', data: {} });
    h.request('shell', 'comm_open', { comm_id: 'b', target_name: 'other', data: {} });
    const all = h.request('shell', 'comm_info_request', {});
    const some = h.request('control', 'comm_info_request', { target_name: 'status' });
    const none = h.request('shell', 'comm_info_request', { target_name: 'nobody' });
    await h.settle();
    assert.deepEqual(h.iopubTypes(open), ['status:busy', 'status:idle'], 'no comm_close');
    assert.equal(h.of(open).filter((s) => s.channel === 'shell').length, 0, 'comm_open has no reply');
    assert.deepEqual(h.reply(all).content, { status: 'ok', comms: { a: { target_name: 'status' }, b: { target_name: 'other' } } });
    assert.deepEqual(h.reply(some).content, { status: 'ok', comms: { a: { target_name: 'status' } } });
    assert.deepEqual(h.reply(none).content, { status: 'ok', comms: {} });
  });

  test('notify sends comm_msg to every open comm of the target, parented to the execute request', async () => {
    const { h } = harness();
    h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status' });
    h.request('shell', 'comm_open', { comm_id: 'b', target_name: 'other' });
    h.request('shell', 'comm_open', { comm_id: 'c', target_name: 'status' });
    const id = h.execute('notify:status:compiling\nprint:x\nnotify:status:done');
    await h.settle();
    assert.deepEqual(h.iopubTypes(id), [
      'status:busy',
      'execute_input',
      'comm_msg',
      'comm_msg',
      'stream',
      'comm_msg',
      'comm_msg',
      'status:idle',
    ]);
    assert.deepEqual(commMsgs(h, id), [
      { comm_id: 'a', data: { text: 'compiling' } },
      { comm_id: 'c', data: { text: 'compiling' } },
      { comm_id: 'a', data: { text: 'done' } },
      { comm_id: 'c', data: { text: 'done' } },
    ]);
    const msg = h.of(id).find((s) => s.msg.header.msg_type === 'comm_msg')!.msg;
    assert.equal((msg.parent_header as { msg_type?: string }).msg_type, 'execute_request');
  });

  test('notify with no open comm of the target sends nothing', async () => {
    const { h } = harness();
    h.request('shell', 'comm_open', { comm_id: 'b', target_name: 'other' });
    const id = h.execute('notify:status:compiling');
    await h.settle();
    assert.deepEqual(h.iopubTypes(id), ['status:busy', 'execute_input', 'status:idle']);
  });

  test('comm_close forgets the comm: no more notifications, gone from comm_info', async () => {
    const { h } = harness();
    h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status' });
    const close = h.request('shell', 'comm_close', { comm_id: 'a', data: {} });
    const id = h.execute('notify:status:running');
    const info = h.request('shell', 'comm_info_request');
    await h.settle();
    assert.deepEqual(h.iopubTypes(close), ['status:busy', 'status:idle']);
    assert.deepEqual(commMsgs(h, id), []);
    assert.deepEqual(h.reply(info).content.comms, {});
  });

  test('comm_msg from the frontend is ignored; an unknown target still gets comm_close', async () => {
    const { h } = harness();
    h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status' });
    const msg = h.request('shell', 'comm_msg', { comm_id: 'a', data: { hello: 1 } });
    const stray = h.request('shell', 'comm_msg', { comm_id: 'zz', data: {} });
    const unknown = h.request('shell', 'comm_open', { comm_id: 'u', target_name: 'nobody', data: {} });
    await h.settle();
    assert.deepEqual(h.iopubTypes(msg), ['status:busy', 'status:idle']);
    assert.deepEqual(h.iopubTypes(stray), ['status:busy', 'status:idle']);
    assert.deepEqual(h.iopubTypes(unknown), ['status:busy', 'comm_close', 'status:idle']);
    assert.deepEqual(h.of(unknown)[1].msg.content, { comm_id: 'u', data: {} });
    assert.deepEqual(h.comms.list(), { a: { target_name: 'status' } });
  });

  test('an interpreter without commTargets closes every comm_open', async () => {
    const h = new Harness(new MarkerInterpreter());
    const open = h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status' });
    await h.settle();
    assert.deepEqual(h.iopubTypes(open), ['status:busy', 'comm_close', 'status:idle']);
  });

  test('notify after the execution ended is dropped', async () => {
    const { h, interp } = harness();
    h.request('shell', 'comm_open', { comm_id: 'a', target_name: 'status' });
    h.execute('print:x');
    await h.settle();
    const before = h.sent.length;
    interp.contexts[0].notify('status', { late: true });
    await h.settle();
    assert.equal(h.sent.length, before);
  });
});
