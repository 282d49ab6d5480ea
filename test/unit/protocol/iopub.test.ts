import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IopubWriter } from '../../../src/protocol/iopub.js';
import { createMessage, createSession, type Message } from '../../../src/protocol/messages.js';
import { silentLogger } from '../../../src/log.js';

/** A writer whose sends are recorded as `type` or `name:text`. */
function writer(options: { delayMs?: number; maxBytes?: number } = {}) {
  const sent: Message[] = [];
  const iopub = new IopubWriter({ session: createSession(), send: async (m) => void sent.push(m), log: silentLogger(), ...options });
  const shown = () => sent.map((m) => (m.header.msg_type === 'stream' ? `${m.content.name}:${m.content.text}` : m.header.msg_type));
  return { iopub, sent, shown };
}

const session = createSession('client');
const parentA = createMessage(session, 'execute_request', {});
const parentB = createMessage(session, 'execute_request', {});

describe('iopub writer', () => {
  test('coalesces consecutive chunks of one stream for one request', async () => {
    const { iopub, shown } = writer();
    iopub.stream(parentA, 'stdout', 'a');
    iopub.stream(parentA, 'stdout', 'b');
    iopub.stream(parentA, 'stdout', 'c');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(shown(), ['stdout:abc']);
  });

  test('a different stream, a different request or another message flushes first, keeping order', async () => {
    const { iopub, shown } = writer();
    iopub.stream(parentA, 'stdout', '1');
    iopub.stream(parentA, 'stderr', '2');
    iopub.stream(parentB, 'stderr', '3');
    iopub.publish(parentB, 'display_data', {});
    iopub.stream(parentB, 'stderr', '4');
    iopub.status(parentB, 'idle');
    await iopub.flush();
    assert.deepEqual(shown(), ['stdout:1', 'stderr:2', 'stderr:3', 'display_data', 'stderr:4', 'status']);
  });

  test('flushes at the size limit without waiting', async () => {
    const { iopub, sent } = writer({ delayMs: 10_000, maxBytes: 4 });
    iopub.stream(parentA, 'stdout', 'ab');
    iopub.stream(parentA, 'stdout', 'cd');
    iopub.stream(parentA, 'stdout', 'e');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      sent.map((m) => m.content.text),
      ['abcd'],
    );
    await iopub.flush();
    assert.deepEqual(
      sent.map((m) => m.content.text),
      ['abcd', 'e'],
    );
  });

  test('flush resolves after every queued send; a failing send does not stop the queue', async () => {
    const sent: string[] = [];
    let fail = true;
    const iopub = new IopubWriter({
      session: createSession(),
      log: silentLogger(),
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        if (fail) {
          fail = false;
          throw new Error('dropped');
        }
        sent.push(m.header.msg_type);
      },
    });
    iopub.starting();
    iopub.status(parentA, 'busy');
    iopub.stream(parentA, 'stdout', 'x');
    await iopub.flush();
    assert.deepEqual(sent, ['status', 'stream']);
  });

  test('messages carry the parent header and a topic', async () => {
    const { iopub, sent } = writer();
    iopub.status(parentA, 'busy');
    await iopub.flush();
    assert.deepEqual(sent[0].parent_header, parentA.header);
    assert.match(sent[0].identities[0].toString(), /^kernel\..+\.status$/);
    assert.deepEqual(sent[0].content, { execution_state: 'busy' });
  });
});
