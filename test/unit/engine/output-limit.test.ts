// The per-cell display limit and back-pressure, in-process: a recording sink, a real file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { holdBack } from '../../../src/engine/run/backpressure.js';
import { limitOutput } from '../../../src/engine/run/output-limit.js';
import { RecordingSink } from '../../support/fakes.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'icuda-limit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('under the limit everything is shown and no file is written', async () => {
  const sink = new RecordingSink();
  const out = limitOutput(sink, 100, join(dir, 'none.txt'));
  out.stream('stdout', 'a'.repeat(60));
  out.stream('stderr', 'b'.repeat(40));
  await out.finish();
  assert.equal(sink.text('stdout'), 'a'.repeat(60));
  assert.equal(sink.text('stderr'), 'b'.repeat(40));
  await assert.rejects(readFile(join(dir, 'none.txt')));
});

test('past the limit: the part that fits is shown, a notice names the file, the file has it all', async () => {
  const sink = new RecordingSink();
  const path = join(dir, 'all.txt');
  const out = limitOutput(sink, 100, path);
  const chunks = ['x'.repeat(71), 'é'.repeat(20), 'z'.repeat(500)];
  for (const chunk of chunks) out.stream('stdout', chunk);
  await out.finish();
  assert.equal(sink.text('stdout'), 'x'.repeat(71) + 'é'.repeat(14), 'cut at the limit, never inside a character');
  assert.match(sink.text('stderr'), /output passed 100 B/);
  assert.match(sink.text('stderr'), new RegExp(`complete output: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.equal(await readFile(path, 'utf8'), chunks.join(''));
});

test('limit 0 shows everything', async () => {
  const sink = new RecordingSink();
  const out = limitOutput(sink, 0, join(dir, 'zero.txt'));
  out.stream('stdout', 'q'.repeat(10_000));
  await out.finish();
  assert.equal(sink.text('stdout').length, 10_000);
  assert.equal(sink.text('stderr'), '');
});

test('holdBack pauses a stream while the sink reports a backlog, and resumes on flush', async () => {
  let backlog = 0;
  let release!: () => void;
  const sink = Object.assign(new RecordingSink(), {
    queuedBytes: () => backlog,
    flush: () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  });
  const stream = new PassThrough();
  stream.on('data', () => undefined);
  holdBack(stream, sink, 10);
  backlog = 50;
  stream.write('data');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stream.isPaused(), true, 'paused while 50 bytes wait');
  backlog = 0;
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stream.isPaused(), false, 'resumed once flushed');
});
