// Well-signed requests whose content is malformed, sent through jupyter_client to a real
// kernel: each gets its *_reply with status error, a BadRequest naming the field, inside
// busy/idle, and changes nothing (no count, no execution, no stop_on_error).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { executeContent, exchanges, iopubTypes, missingClient, streamText, TestKernel, type Exchange } from '../support/jupyter.js';
import { validateMessage } from '../support/message-spec.js';

const skip = missingClient();
if (skip && process.env.CI) throw new Error(`CI must run the jupyter_client tests: ${skip}`);

/** Well-signed requests with malformed content, where each is served, and what the error names. */
const MALFORMED: [string, string, object, RegExp][] = [
  ['shell', 'execute_request', { code: 123, silent: false, store_history: true }, /content\.code: expected string, got 123/],
  ['shell', 'execute_request', { silent: false, store_history: true }, /content\.code is missing/],
  ['shell', 'complete_request', { code: 'int x', cursor_pos: -5 }, /content\.cursor_pos: expected >=0, got -5/],
  ['control', 'complete_request', { code: 'int x', cursor_pos: 2.5 }, /content\.cursor_pos: expected integer, got 2\.5/],
  ['shell', 'complete_request', { cursor_pos: 0 }, /content\.code is missing/],
  ['shell', 'inspect_request', { cursor_pos: 0, detail_level: 0 }, /content\.code is missing/],
  ['shell', 'is_complete_request', { code: 123 }, /content\.code: expected string, got 123/],
  ['control', 'kernel_info_request', [], /content must be a JSON object, got array/],
  ['shell', 'history_request', { hist_access_type: 'everything' }, /content\.hist_access_type: expected .*, got "everything"/],
  ['shell', 'comm_info_request', { target_name: 7 }, /content\.target_name: expected string, got 7/],
  ['control', 'shutdown_request', { restart: 'yes' }, /content\.restart: expected boolean, got "yes"/],
];

/** Sends a request with any content as frames signed with the kernel's key, from a socket of
 * its own; its reply comes back on that socket, its busy/idle on the client's iopub. */
async function forged(k: TestKernel, channel: string, msgType: string, content: unknown): Promise<Exchange> {
  const msgId = `forged-${randomUUID()}`;
  const header = { msg_id: msgId, msg_type: msgType, username: 't', session: 'forged', date: new Date().toISOString(), version: '5.4' };
  const { frames } = await k.call({ op: 'forge', parts: [JSON.stringify(header), '{}', '{}', JSON.stringify(content)] });
  const { replies } = await k.call({ op: 'raw', channel, frames, wait_ms: 10_000, until_replies: 1 });
  assert.equal(replies.length, 1, 'one reply');
  const parts = (replies[0] as string[]).map((f) => Buffer.from(f, 'base64').toString('utf8'));
  const [h, parent, metadata, body] = parts.slice(parts.indexOf('<IDS|MSG>') + 2).map((part) => JSON.parse(part));
  const reply = { channel, t: 0, msg_type: h.msg_type, header: h, parent_header: parent, metadata, content: body };
  validateMessage(reply);
  const [ex] = exchanges([msgId], await k.collect([msgId], { noReply: true, timeout: 10 }));
  return { ...ex, reply };
}

describe('malformed content through jupyter_client', { skip }, () => {
  let k: TestKernel;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  for (const [channel, type, content, problem] of MALFORMED) {
    test(`${type} on ${channel} with ${JSON.stringify(content)}: BadRequest, busy/idle, nothing changed`, async () => {
      const before = (await k.execute('')).reply.content.execution_count;
      // jupyter_client's Session refuses non-dict content, so that case goes out as signed raw frames.
      const ex = Array.isArray(content) ? await forged(k, channel, type, content) : await k.request(type, content, channel);
      const c = ex.reply.content;
      assert.equal(ex.reply.msg_type, type.replace(/_request$/, '_reply'));
      assert.equal(ex.reply.channel, channel);
      assert.equal(c.status, 'error');
      assert.equal(c.ename, 'BadRequest');
      assert.match(c.evalue, new RegExp(`^${type}: `));
      assert.match(c.evalue, problem);
      if (type === 'execute_request') assert.equal(c.execution_count, before, 'the current count, not advanced');
      assert.deepEqual(iopubTypes(ex), ['status:busy', 'status:idle'], 'no execute_input, no output');
      const after = await k.execute('');
      assert.equal(after.reply.content.execution_count, before + 1, 'the malformed request did not count');
    });
  }

  test('a malformed execute does not trigger stop_on_error for what is queued behind it', async () => {
    const ids = [
      await k.send('execute_request', { code: 42, stop_on_error: true }),
      await k.send('execute_request', executeContent('#include <cstdio>\nint main() { printf("ran\\n"); }\n')),
    ];
    const [bad, next] = exchanges(ids, await k.collect(ids));
    assert.equal(bad.reply.content.ename, 'BadRequest');
    assert.equal(next.reply.content.status, 'ok');
    assert.equal(streamText(next, 'stdout'), 'ran\n');
  });

  test('the kernel is still alive and serving after all of them', async () => {
    assert.equal((await k.lifecycle('wait_dead', { timeout: 0.2 })).alive, true);
    assert.equal((await k.request('kernel_info_request', {}, 'control')).reply.content.status, 'ok');
  });
});
