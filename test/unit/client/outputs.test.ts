// iopub messages -> nbformat outputs (as nbclient builds them) and the .ipynb text nbformat writes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serializeNotebook } from '../../../src/client/notebook-file.js';
import { OutputCollector } from '../../../src/client/outputs.js';
import type { Message } from '../../../src/protocol/messages.js';

/** A received iopub message of a type with a content. */
function msg(msgType: string, content: object): Message {
  return {
    identities: [],
    header: { msg_id: 'm', msg_type: msgType, username: 'u', session: 's', date: '', version: '5.5' },
    parent_header: {},
    metadata: {},
    content: content as Record<string, unknown>,
    buffers: [],
  };
}

describe('OutputCollector', () => {
  test('merges consecutive stream text of one name, keeps other names and outputs apart', () => {
    const c = new OutputCollector();
    c.take(msg('stream', { name: 'stdout', text: 'a\n' }));
    c.take(msg('stream', { name: 'stdout', text: 'b\n' }));
    c.take(msg('stream', { name: 'stderr', text: 'e\n' }));
    c.take(msg('stream', { name: 'stdout', text: 'c\n' }));
    c.take(msg('status', { execution_state: 'idle' }));
    assert.deepEqual(c.outputs, [
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'stream', name: 'stderr', text: 'e\n' },
      { output_type: 'stream', name: 'stdout', text: 'c\n' },
    ]);
  });

  test('display_data, execute_result and error take the fields nbformat keeps', () => {
    const c = new OutputCollector();
    c.take(msg('display_data', { data: { 'text/html': '<b>x</b>' }, metadata: {}, transient: { display_id: 'd1' } }));
    c.take(msg('execute_result', { data: { 'text/plain': '1' }, metadata: {}, execution_count: 4 }));
    c.take(msg('error', { ename: 'CompileError', evalue: '1 error', traceback: ['cell[4](2): error'] }));
    assert.deepEqual(c.outputs, [
      { output_type: 'display_data', data: { 'text/html': '<b>x</b>' }, metadata: {} },
      { output_type: 'execute_result', data: { 'text/plain': '1' }, metadata: {}, execution_count: 4 },
      { output_type: 'error', ename: 'CompileError', evalue: '1 error', traceback: ['cell[4](2): error'] },
    ]);
  });

  test('update_display_data replaces a shown display; clear_output(wait) clears before the next output', () => {
    const c = new OutputCollector();
    c.take(msg('display_data', { data: { 'text/plain': 'step 1' }, metadata: {}, transient: { display_id: 'p' } }));
    c.take(msg('update_display_data', { data: { 'text/plain': 'step 2' }, metadata: {}, transient: { display_id: 'p' } }));
    assert.equal((c.outputs[0] as { data: Record<string, unknown> }).data['text/plain'], 'step 2');
    c.take(msg('clear_output', { wait: true }));
    assert.equal(c.outputs.length, 1);
    c.take(msg('stream', { name: 'stdout', text: 'fresh\n' }));
    assert.deepEqual(c.outputs, [{ output_type: 'stream', name: 'stdout', text: 'fresh\n' }]);
    c.take(msg('clear_output', { wait: false }));
    assert.deepEqual(c.outputs, []);
  });
});

describe('serializeNotebook', () => {
  test('sorted keys, one-space indent, multi-line text split into lines, final newline', () => {
    const text = serializeNotebook({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          source: 'int main() {\n}\n',
          metadata: {},
          execution_count: 1,
          outputs: [
            { output_type: 'stream', name: 'stdout', text: 'a\nb' },
            { output_type: 'display_data', metadata: {}, data: { 'text/html': '<p>\n</p>', 'application/json': { a: 1 } } },
          ],
        },
      ],
    });
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^{\n "cells": \[\n  {\n {3}"cell_type": "code",\n {3}"execution_count": 1,/);
    const nb = JSON.parse(text);
    assert.deepEqual(nb.cells[0].source, ['int main() {\n', '}\n']);
    assert.deepEqual(nb.cells[0].outputs[0].text, ['a\n', 'b']);
    assert.deepEqual(nb.cells[0].outputs[1].data, { 'application/json': { a: 1 }, 'text/html': ['<p>\n', '</p>'] });
  });
});
