// Bounded, seeded fuzzing of the kernel's five sockets through real zeromq sockets: random
// frames, authentic-but-malformed messages, unknown types, huge messages, bursts and wrong
// sockets. After every storm the kernel must still answer on shell and control, echo the
// heartbeat and run a real cell. Replay a run with ICUDA_FUZZ_SEED=<the seed it prints>.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { missingClient, streamText, TestKernel } from '../support/jupyter.js';

const skip = missingClient();
const seed = Number(process.env.ICUDA_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
const HELLO = '#include <cstdio>\nint main() { printf("still serving\\n"); return 0; }\n';

/** Request types with a reply, and plausible-looking content keys for each. */
const REQUESTS: Record<string, string[]> = {
  kernel_info_request: [],
  execute_request: ['code', 'silent', 'store_history', 'user_expressions', 'allow_stdin', 'stop_on_error'],
  complete_request: ['code', 'cursor_pos'],
  inspect_request: ['code', 'cursor_pos', 'detail_level'],
  is_complete_request: ['code'],
  history_request: ['hist_access_type', 'output', 'raw', 'n', 'start', 'stop', 'pattern', 'unique', 'session'],
  comm_info_request: ['target_name'],
};

/** Any JSON value, or one with the wrong type where a string or number belongs. Executes
 * never get a compilable string: the point is the protocol, not nvcc's speed. */
const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant(-1),
  fc.constant(2 ** 53),
);

/** Content for a request: each expected key present or not, with a random or wrong value. */
function contentFor(type: string) {
  const keys = REQUESTS[type];
  return fc.record(
    Object.fromEntries(
      keys.map((key) => [
        key,
        key === 'code' && type === 'execute_request'
          ? fc.oneof(fc.integer(), fc.constant(null), fc.constant(''), fc.array(fc.string(), { maxLength: 3 }))
          : wrongValue,
      ]),
    ),
    { requiredKeys: [] },
  );
}

describe('fuzzing every socket', { skip }, () => {
  let k: TestKernel;
  let sent = 0;
  before(async () => {
    k = await TestKernel.start();
  });
  after(async () => {
    await k?.close();
  });

  /** The kernel answers kernel_info on shell and control, echoes the heartbeat and runs a cell. */
  async function assertServing(): Promise<void> {
    assert.equal((await k.request('kernel_info_request')).reply.content.status, 'ok');
    assert.equal((await k.request('kernel_info_request', {}, 'control')).reply.content.status, 'ok');
    assert.equal((await k.call({ op: 'heartbeat', ping: 'alive?' })).echo, 'alive?');
    const ex = await k.execute(HELLO);
    assert.equal(ex.reply.content.status, 'ok');
    assert.equal(streamText(ex, 'stdout'), 'still serving\n');
  }

  test('random frames on all five sockets are dropped without a reply', async (t) => {
    t.diagnostic(`fuzz seed ${seed} (replay: ICUDA_FUZZ_SEED=${seed})`);
    const frames = fc.array(fc.uint8Array({ maxLength: 96 }), { maxLength: 8 });
    const withDelimiter = fc.tuple(frames, frames).map(([a, b]) => [...a, new TextEncoder().encode('<IDS|MSG>'), ...b]);
    const storm = fc.sample(fc.oneof(frames, withDelimiter), { seed, numRuns: 300 });
    for (const channel of ['shell', 'control', 'stdin', 'hb', 'iopub']) {
      const { replies } = await k.call({ op: 'raw', channel, messages: storm.map((m) => m.map(b64)), wait_ms: 500 });
      sent += storm.length;
      // The heartbeat echoes whatever it is sent; no other socket may answer garbage.
      if (channel !== 'hb' && channel !== 'iopub') assert.deepEqual(replies, [], `${channel} answered garbage`);
    }
    await assertServing();
  });

  test('authentic but malformed requests each get one well-formed reply', async (t) => {
    const cases = fc.sample(
      fc
        .constantFrom(...Object.keys(REQUESTS))
        .chain((type) => fc.record({ type: fc.constant(type), content: contentFor(type), channel: fc.constantFrom('shell', 'control') })),
      { seed, numRuns: 160 },
    );
    let replied = 0;
    for (const [i, c] of cases.entries()) {
      const header = {
        msg_id: `fuzz-${seed}-${i}`,
        msg_type: c.type,
        username: 'fuzz',
        session: `fuzz-${seed}`,
        date: new Date().toISOString(),
        version: '5.4',
      };
      const { frames } = await k.call({ op: 'forge', parts: [JSON.stringify(header), '{}', '{}', JSON.stringify(c.content)] });
      const { replies } = await k.call({ op: 'raw', channel: c.channel, frames, wait_ms: 10_000, until_replies: 1 });
      assert.equal(replies.length, 1, `${c.type} ${JSON.stringify(c.content)} on ${c.channel}: ${replies.length} replies`);
      const parts = replies[0].map((f: string) => Buffer.from(f, 'base64').toString('utf8'));
      const at = parts.indexOf('<IDS|MSG>');
      const [replyHeader, parent, , content] = parts.slice(at + 2).map((p: string) => JSON.parse(p));
      assert.equal(replyHeader.msg_type, c.type.replace(/_request$/, '_reply'));
      assert.equal(parent.msg_id, header.msg_id);
      assert.ok(
        ['ok', 'error', 'aborted', 'complete', 'incomplete', 'invalid', 'unknown'].includes(content.status),
        JSON.stringify(content),
      );
      if (content.status === 'error') assert.equal(typeof content.ename, 'string');
      replied++;
    }
    sent += cases.length;
    t.diagnostic(`${replied} malformed requests, each answered once`);
    await assertServing();
  });

  test('broken envelopes: null, array or partial headers, bad JSON, bad UTF-8, unknown types, wrong sockets', async () => {
    const parts = fc.oneof(
      fc.constant(['null', '{}', '{}', '{}']),
      fc.constant(['[]', '{}', '{}', '{}']),
      fc.constant(['{"msg_type": "kernel_info_request"}', '{}', '{}', '{}']),
      fc.constant(['{"msg_id": "x"}', '{}', '{}', '{}']),
      fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map(([a, b]) => [a, b, '{}', '{}']),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map((type) => [
        JSON.stringify({
          msg_id: `u-${type}`,
          msg_type: type,
          username: 'f',
          session: 's',
          date: new Date().toISOString(),
          version: '5.4',
        }),
        '{}',
        '{}',
        '{}',
      ]),
      fc.constant(['{"msg_id": "\ud800", "msg_type": "kernel_info_request"}', '{}', '{}', '{}']),
    );
    const storm = fc.sample(parts, { seed, numRuns: 120 });
    const messages = [];
    for (const p of storm) messages.push((await k.call({ op: 'forge', parts: p })).frames);
    for (const channel of ['shell', 'control', 'stdin']) {
      await k.call({ op: 'raw', channel, messages, wait_ms: 500 });
      sent += messages.length;
    }
    // Well-formed requests on the wrong socket: stdin takes only input_reply.
    const misplaced = await k.call({ op: 'sign', key: k.key, msg_type: 'execute_request', content: { code: HELLO } });
    const { replies } = await k.call({ op: 'raw', channel: 'stdin', frames: misplaced.frames, wait_ms: 500 });
    assert.deepEqual(replies, []);
    await assertServing();
  });

  test('huge messages: 24 MB of code to is_complete, 8 MB to execute', async () => {
    const big = '// ' + 'x'.repeat(24 * 1024 * 1024) + '\nint main() {';
    const ex = await k.request('is_complete_request', { code: big });
    assert.equal(ex.reply.content.status, 'incomplete');
    const cell = '// ' + 'y'.repeat(8 * 1024 * 1024) + '\n' + HELLO;
    const run = await k.execute(cell, {}, { timeout: 120 });
    assert.equal(run.reply.content.status, 'ok');
    assert.equal(streamText(run, 'stdout'), 'still serving\n');
    sent += 2;
    await assertServing();
  });

  test('a burst of 3000 requests is answered in full and in order of arrival', async (t) => {
    const shell = await k.call({ op: 'burst', channel: 'shell', msg_type: 'kernel_info_request', count: 2000, timeout: 120 });
    assert.deepEqual([shell.replies, shell.missing], [2000, 0]);
    const control = await k.call({
      op: 'burst',
      channel: 'control',
      msg_type: 'is_complete_request',
      content: { code: 'int x = 1;' },
      count: 1000,
      timeout: 120,
    });
    assert.deepEqual([control.replies, control.missing], [1000, 0]);
    sent += 3000;
    t.diagnostic(`${sent} messages fuzzed in all`);
    await assertServing();
  });
});
