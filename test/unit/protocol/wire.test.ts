import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMessage, createSession } from '../../../src/protocol/messages.js';
import { Signer } from '../../../src/protocol/signer.js';
import { decodeFrames, decodeRequest, DELIMITER, encodeMessage, WireError } from '../../../src/protocol/wire.js';

const session = createSession();

/** A message with two identities and no buffers. */
function sample() {
  return createMessage(session, 'execute_request', { code: 'print:é😀' }, undefined, [Buffer.from('id-1'), Buffer.from([0, 1, 2])]);
}

/** Asserts that decoding throws a WireError with `code`. */
function rejects(frames: Buffer[], signer: Signer, code: string): void {
  assert.throws(
    () => decodeFrames(frames, signer),
    (e: unknown) => e instanceof WireError && e.code === code,
  );
}

describe('wire', () => {
  test('round trips identities, parts and buffers', () => {
    const signer = new Signer('hmac-sha256', 'secret');
    const msg = { ...sample(), buffers: [Buffer.from([9, 8, 7])] };
    const frames = encodeMessage(msg, new Signer('hmac-sha256', 'secret'));
    assert.equal(frames.length, 2 + 1 + 1 + 4 + 1);
    assert.ok(frames[2].equals(DELIMITER));
    const back = decodeFrames(frames, signer);
    assert.deepEqual(back.identities, msg.identities);
    assert.deepEqual(back.header, msg.header);
    assert.deepEqual(back.content, msg.content);
    assert.deepEqual(back.buffers, msg.buffers);
  });

  test('buffers are not signed', () => {
    const frames = encodeMessage(sample(), new Signer('hmac-sha256', 'secret'));
    const withBuffer = [...frames, Buffer.from('not signed')];
    assert.equal(decodeFrames(withBuffer, new Signer('hmac-sha256', 'secret')).buffers.length, 1);
  });

  test('without identities the delimiter comes first', () => {
    const frames = encodeMessage({ ...sample(), identities: [] }, new Signer('hmac-sha256', ''));
    assert.ok(frames[0].equals(DELIMITER));
    assert.equal(frames[1].toString(), '');
    assert.deepEqual(decodeFrames(frames, new Signer('hmac-sha256', '')).identities, []);
  });

  test('typed errors for malformed messages', () => {
    const signer = () => new Signer('hmac-sha256', 'secret');
    const good = encodeMessage(sample(), signer());
    rejects(
      good.filter((f) => !f.equals(DELIMITER)),
      signer(),
      'missing-delimiter',
    );
    rejects(good.slice(0, -1), signer(), 'too-few-frames');
    const unsigned = encodeMessage(sample(), new Signer('hmac-sha256', ''));
    const bad = [...unsigned.slice(0, 4), Buffer.from('{not json'), ...unsigned.slice(5)];
    rejects(bad, new Signer('hmac-sha256', ''), 'bad-json');
    const array = [...unsigned.slice(0, 7), Buffer.from('[1]')];
    rejects(array, new Signer('hmac-sha256', ''), 'bad-json');
  });

  test('a wrong key, a missing signature or a replay is refused', () => {
    const frames = encodeMessage(sample(), new Signer('hmac-sha256', 'other'));
    rejects(frames, new Signer('hmac-sha256', 'secret'), 'bad-signature');
    rejects(encodeMessage(sample(), new Signer('hmac-sha256', '')), new Signer('hmac-sha256', 'secret'), 'bad-signature');
    const signer = new Signer('hmac-sha256', 'secret');
    const once = encodeMessage(sample(), signer);
    decodeFrames(once, signer);
    rejects(once, signer, 'replayed');
  });

  test('a request may carry any JSON content, for the runtime to check and answer', () => {
    const signer = new Signer('hmac-sha256', 'secret');
    for (const content of [[], null, 123, 'text']) {
      const frames = encodeMessage({ ...sample(), content: content as never }, signer);
      assert.deepEqual(decodeRequest(frames, signer).content, content);
      rejects(encodeMessage({ ...sample(), content: content as never }, signer), signer, 'bad-json');
    }
    const unsigned = encodeMessage(sample(), new Signer('hmac-sha256', ''));
    const notJson = [...unsigned.slice(0, 7), Buffer.from('{nope')];
    assert.throws(
      () => decodeRequest(notJson, new Signer('hmac-sha256', '')),
      (e: unknown) => e instanceof WireError && e.code === 'bad-json' && /content is not valid JSON/.test(e.message),
    );
  });
});
