import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codePointsToUtf16, utf16ToCodePoints } from '../../../src/protocol/handlers/introspection.js';
import { MarkerInterpreter } from '../../support/marker-interpreter.js';
import { Harness } from './harness.js';

describe('cursor positions', () => {
  test('code points and UTF-16 indices convert both ways around an emoji', () => {
    const code = 'a😀b';
    assert.equal(code.length, 4);
    assert.deepEqual(
      [0, 1, 2, 3].map((cp) => codePointsToUtf16(code, cp)),
      [0, 1, 3, 4],
    );
    assert.deepEqual(
      [0, 1, 3, 4].map((i) => utf16ToCodePoints(code, i)),
      [0, 1, 2, 3],
    );
    assert.equal(codePointsToUtf16(code, 99), 4, 'past the end clamps');
    assert.equal(codePointsToUtf16('中文x', 2), 2, 'BMP characters are one unit');
  });

  test('complete_request converts cursor_pos in and cursor_start/end out', async () => {
    const h = new Harness(new MarkerInterpreter());
    // '😀 ab': code points 😀=0, ' '=1, a=2, b=3; cursor after 'ab' is 4 code points, 5 UTF-16 units
    const id = h.request('shell', 'complete_request', { code: '😀 ab', cursor_pos: 4 });
    await h.settle();
    assert.deepEqual(h.reply(id).content, { status: 'ok', matches: ['ab_done'], cursor_start: 2, cursor_end: 4, metadata: {} });
  });

  test('inspect_request gives the interpreter a UTF-16 cursor', async () => {
    const h = new Harness(new MarkerInterpreter());
    const id = h.request('shell', 'inspect_request', { code: '😀xy', cursor_pos: 2, detail_level: 0 });
    await h.settle();
    assert.deepEqual(h.reply(id).content, { status: 'ok', found: true, data: { 'text/plain': 'at 3: y' }, metadata: {} });
  });

  test('is_complete, history and kernel_info are well formed', async () => {
    const h = new Harness(new MarkerInterpreter());
    const inc = h.request('shell', 'is_complete_request', { code: 'x \\' });
    const done = h.request('shell', 'is_complete_request', { code: 'x' });
    const hist = h.request('shell', 'history_request', { hist_access_type: 'tail', n: 10, output: false, raw: true });
    const info = h.request('control', 'kernel_info_request');
    await h.settle();
    assert.deepEqual(h.reply(inc).content, { status: 'incomplete', indent: '  ' });
    assert.deepEqual(h.reply(done).content, { status: 'complete' });
    assert.deepEqual(h.reply(hist).content, { status: 'ok', history: [] });
    const c = h.reply(info).content;
    assert.equal(h.reply(info).header.msg_type, 'kernel_info_reply');
    assert.deepEqual(Object.keys(c).sort(), [
      'banner',
      'debugger',
      'help_links',
      'implementation',
      'implementation_version',
      'language_info',
      'protocol_version',
      'status',
    ]);
  });

  test('kernel_info_reply says debugger: false unless the interpreter says it speaks the debug protocol', async () => {
    const plain = new Harness(new MarkerInterpreter());
    const id = plain.request('shell', 'kernel_info_request');
    await plain.settle();
    assert.equal(plain.reply(id).content.debugger, false);
    const debugging = new MarkerInterpreter();
    debugging.kernelInfo = () => ({ ...new MarkerInterpreter().kernelInfo(), debugger: true });
    const h = new Harness(debugging);
    const again = h.request('control', 'kernel_info_request');
    await h.settle();
    assert.equal(h.reply(again).content.debugger, true);
  });

  test('complete and inspect without cursor_pos (or with null) mean the end of the code', async () => {
    const h = new Harness(new MarkerInterpreter());
    const ids = [
      h.request('shell', 'complete_request', { code: 'x ab' }),
      h.request('shell', 'complete_request', { code: 'x ab', cursor_pos: null }),
      h.request('shell', 'complete_request', { code: 'x ab', cursor_pos: 99 }),
    ];
    const inspect = h.request('shell', 'inspect_request', { code: 'xyz' });
    await h.settle();
    for (const id of ids) {
      assert.deepEqual(h.reply(id).content, { status: 'ok', matches: ['ab_done'], cursor_start: 2, cursor_end: 4, metadata: {} });
    }
    assert.deepEqual(h.reply(inspect).content.data, { 'text/plain': 'at 3: ' });
  });
});
