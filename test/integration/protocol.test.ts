// The Jupyter protocol end to end: the installed kernelspec started by jupyter_client's
// KernelManager, driven by its client over real sockets, every message validated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { executeContent, exchanges, iopubTypes, missingClient, streamText, TestKernel } from '../support/jupyter.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

const HELLO = '#include <cstdio>\nint main() { printf("hello from the cell\\n"); return 0; }\n';

describe('protocol through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  test('kernel_info_reply describes icuda and CUDA, on shell and on control', async () => {
    for (const channel of ['shell', 'control']) {
      const ex = await k.request('kernel_info_request', {}, channel);
      const c = ex.reply.content;
      assert.equal(ex.reply.channel, channel);
      assert.equal(c.status, 'ok');
      assert.match(c.protocol_version, /^5\.\d+$/);
      assert.equal(c.implementation, 'icuda');
      assert.equal(c.language_info.name, 'cuda');
      assert.equal(c.language_info.mimetype, 'text/x-cuda');
      assert.equal(c.language_info.file_extension, '.cu');
      assert.equal(c.language_info.pygments_lexer, 'cuda');
      assert.ok(c.language_info.codemirror_mode, 'codemirror_mode set');
      assert.equal(c.debugger, false, 'JupyterLab reads debugger to decide on a debug session');
      assert.deepEqual(iopubTypes(ex), ['status:busy', 'status:idle']);
    }
  });

  test('execute: busy, execute_input, output, idle, all parented to the request', async () => {
    const ex = await k.execute(HELLO);
    const types = iopubTypes(ex);
    assert.equal(types[0], 'status:busy');
    assert.equal(types[1], 'execute_input');
    assert.equal(types.at(-1), 'status:idle');
    assert.ok(types.includes('stream'), `a stream among ${types}`);
    assert.equal(streamText(ex, 'stdout'), 'hello from the cell\n');
    assert.equal(ex.reply.content.status, 'ok');
    const input = ex.iopub[1];
    assert.equal(input.content.code, HELLO);
    assert.equal(input.content.execution_count, ex.reply.content.execution_count);
    for (const m of [...ex.iopub, ex.reply]) assert.equal(m.parent_header.msg_id, ex.msgId);
  });

  test('execution_count grows only for non-silent requests', async () => {
    const first = (await k.execute('')).reply.content.execution_count;
    const silent = await k.execute('', { silent: true });
    assert.equal(silent.reply.content.status, 'ok');
    assert.ok(!iopubTypes(silent).includes('execute_input'), 'silent requests broadcast no execute_input');
    const next = (await k.execute('')).reply.content.execution_count;
    assert.equal(next, first + 1);
  });

  test('store_history false: execute_input and reply carry the unchanged count, which does not advance', async () => {
    const first = (await k.execute('')).reply.content.execution_count;
    const unstored = await k.execute('', { store_history: false });
    assert.equal(unstored.reply.content.status, 'ok');
    assert.equal(unstored.reply.content.execution_count, first);
    const input = unstored.iopub.find((m) => m.msg_type === 'execute_input');
    assert.equal(input?.content.execution_count, first, 'execute_input is still published');
    assert.equal((await k.execute('')).reply.content.execution_count, first + 1);
  });

  test('heartbeat echoes', async () => {
    const { echo } = await k.call({ op: 'heartbeat', ping: 'ping-1234' });
    assert.equal(echo, 'ping-1234');
  });

  test('each new iopub subscriber is greeted with iopub_welcome (protocol 5.5)', async () => {
    for (const topic of ['', 'kernel.']) {
      const { message } = await k.call({ op: 'subscribe', topic });
      assert.ok(message, `no message for a subscriber to ${JSON.stringify(topic)}`);
      assert.equal(message.msg_type, 'iopub_welcome');
      assert.equal(message.content.subscription, topic);
      assert.deepEqual(message.parent_header, {});
    }
  });

  test('a wrongly signed or malformed message is dropped, and the kernel keeps answering', async () => {
    const bad = await k.call({ op: 'sign', key: 'not-the-key', msg_type: 'kernel_info_request' });
    const unsigned = await k.call({ op: 'sign', key: '', msg_type: 'kernel_info_request' });
    for (const frames of [bad.frames, unsigned.frames, [Buffer.from('garbage').toString('base64')]]) {
      const { replies } = await k.call({ op: 'raw', channel: 'shell', frames, wait_ms: 400 });
      assert.deepEqual(replies, [], 'no reply to a message that fails verification');
    }
    const ex = await k.request('kernel_info_request');
    assert.equal(ex.reply.content.status, 'ok');
  });

  test('a replayed message is served once', async () => {
    const signed = await k.call({ op: 'sign', key: k.key, msg_type: 'kernel_info_request' });
    const first = await k.call({ op: 'raw', channel: 'shell', frames: signed.frames, wait_ms: 5000 });
    const second = await k.call({ op: 'raw', channel: 'shell', frames: signed.frames, wait_ms: 400 });
    assert.equal(first.replies.length, 1);
    assert.deepEqual(second.replies, []);
  });

  test('comm_info is empty; comm_open for an unknown target is answered with comm_close', async () => {
    const info = await k.request('comm_info_request');
    assert.deepEqual(info.reply.content.comms, {});
    const filtered = await k.request('comm_info_request', { target_name: 'icuda.status' }, 'control');
    assert.deepEqual(filtered.reply.content, { status: 'ok', comms: {} });
    const id = await k.send('comm_open', { comm_id: 'c-1', target_name: 'nobody', data: {} });
    const [ex] = exchanges([id], await k.collect([id], { noReply: true, timeout: 10 }));
    assert.deepEqual(iopubTypes(ex), ['status:busy', 'comm_close', 'status:idle']);
    assert.equal(ex.iopub[1].content.comm_id, 'c-1');
    const ids = [await k.send('comm_msg', { comm_id: 'c-1', data: { x: 1 } }), await k.send('comm_close', { comm_id: 'c-1', data: {} })];
    for (const quiet of exchanges(ids, await k.collect(ids, { noReply: true, timeout: 10 }))) {
      assert.deepEqual(iopubTypes(quiet), ['status:busy', 'status:idle'], 'comm_msg and comm_close to a closed comm change nothing');
    }
    assert.deepEqual((await k.request('comm_info_request')).reply.content.comms, {});
  });

  test("an open icuda.status comm hears a cell's phases: compiling, running, done; nothing else changes", async () => {
    const open = await k.send('comm_open', { comm_id: 'status-1', target_name: 'icuda.status', data: {} });
    const [opened] = exchanges([open], await k.collect([open], { noReply: true, timeout: 10 }));
    assert.deepEqual(iopubTypes(opened), ['status:busy', 'status:idle'], 'a known target stays open: no comm_close');
    assert.deepEqual((await k.request('comm_info_request')).reply.content.comms, { 'status-1': { target_name: 'icuda.status' } });
    const ex = await k.execute(HELLO);
    const phases = ex.iopub.filter((m) => m.msg_type === 'comm_msg').map((m) => [m.content.comm_id, m.content.data.phase]);
    assert.deepEqual(phases, [
      ['status-1', 'compiling'],
      ['status-1', 'running'],
      ['status-1', 'done'],
    ]);
    assert.equal(streamText(ex, 'stdout'), 'hello from the cell\n');
    const closed = await k.send('comm_close', { comm_id: 'status-1', data: {} });
    await k.collect([closed], { noReply: true, timeout: 10 });
    const after = await k.execute(HELLO);
    assert.ok(!after.iopub.some((m) => m.msg_type === 'comm_msg'), 'a closed comm hears nothing');
  });

  test('is_complete follows braces and strings', async () => {
    const status = async (code: string) => (await k.request('is_complete_request', { code })).reply.content.status;
    assert.equal(await status('int main() {'), 'incomplete');
    assert.equal(await status('int main() { return 0; }'), 'complete');
    assert.equal(await status('const char *s = "open'), 'incomplete');
    assert.equal(await status('int x = 1; }'), 'invalid');
  });

  test('stop_on_error aborts what was queued behind a failure; later requests run', async () => {
    const ids = [];
    ids.push(await k.send('execute_request', executeContent('int main() { return undefined_name; }')));
    ids.push(await k.send('execute_request', executeContent(HELLO)));
    ids.push(await k.send('execute_request', executeContent('')));
    const [failed, queued1, queued2] = exchanges(ids, await k.collect(ids));
    assert.equal(failed.reply.content.status, 'error');
    assert.equal(queued1.reply.content.status, 'aborted');
    assert.equal(queued2.reply.content.status, 'aborted');
    assert.deepEqual(iopubTypes(queued1), ['status:busy', 'status:idle']);
    const later = await k.execute('');
    assert.equal(later.reply.content.status, 'ok');
  });

  test('stop_on_error false lets queued requests run', async () => {
    const ids = [];
    ids.push(await k.send('execute_request', executeContent('%no_such_magic', { stop_on_error: false })));
    ids.push(await k.send('execute_request', executeContent('')));
    const [failed, next] = exchanges(ids, await k.collect(ids));
    assert.equal(failed.reply.content.status, 'error');
    assert.equal(next.reply.content.status, 'ok');
  });

  test('SIGINT to an idle kernel leaves it alive and answering', async () => {
    const state = await k.lifecycle('signal', { signal: 'SIGINT' });
    assert.equal(state.alive, true);
    const ex = await k.request('kernel_info_request');
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal((await k.lifecycle('wait_dead', { timeout: 0.3 })).alive, true);
  });

  test('an unknown request type is ignored and the queue keeps moving', async () => {
    await k.send('no_such_request', {});
    const ex = await k.request('kernel_info_request');
    assert.equal(ex.reply.content.status, 'ok');
  });
});

describe('transports, keys and shutdown', { skip }, () => {
  for (const transport of ['tcp', 'ipc'] as const) {
    test(`${transport}: runs a cell and shuts down on shutdown_request`, async () => {
      const k = await TestKernel.start({ transport });
      try {
        const ex = await k.execute(HELLO);
        assert.equal(streamText(ex, 'stdout'), 'hello from the cell\n');
        const down = await k.request('shutdown_request', { restart: false }, 'control');
        assert.equal(down.reply.content.restart, false);
        const state = await k.lifecycle('wait_dead', { timeout: 10 });
        assert.equal(state.alive, false, 'the kernel exits after shutdown_reply');
        assert.equal(state.exit_code, 0);
      } finally {
        await k.close();
      }
    });
  }

  test('an empty key means unsigned messages, and they are served', async () => {
    const k = await TestKernel.start({ key: '' });
    try {
      const ex = await k.request('kernel_info_request');
      assert.equal(ex.reply.content.status, 'ok');
      const run = await k.execute(HELLO);
      assert.equal(streamText(run, 'stdout'), 'hello from the cell\n');
    } finally {
      await k.close();
    }
  });

  test('shutdown_request with restart: true is answered in kind; restart brings a fresh kernel', async () => {
    const k = await TestKernel.start();
    try {
      const first = (await k.execute('')).reply.content.execution_count;
      const down = await k.request('shutdown_request', { restart: true }, 'control');
      assert.equal(down.reply.content.restart, true);
      assert.equal((await k.lifecycle('wait_dead', { timeout: 10 })).alive, false);
      await k.lifecycle('restart', { now: true });
      const again = await k.execute('');
      assert.equal(again.reply.content.status, 'ok');
      assert.equal(again.reply.content.execution_count, 1, 'a fresh kernel counts from 1');
      assert.equal(first, 1);
    } finally {
      await k.close();
    }
  });
});
