import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequest, checkSessionRequest, outputFlag, RequestError, safeFileName } from '../../../src/host/request.js';
import { timeLimit } from '../../../src/host/job.js';
import type { ComputeRequest, SessionCellRequest } from '../../../src/remote/proto.js';

const request = (extra: Partial<ComputeRequest>): ComputeRequest => ({
  source_code: 'int main() {}',
  file_name: '',
  compiler_flags: [],
  program_args: [],
  env: {},
  timeout_s: 0,
  files: [],
  stdin_data: Buffer.alloc(0),
  execution_count: 1,
  ...extra,
});

test('file names are reduced to a safe base name', () => {
  assert.equal(safeFileName('../../etc/passwd'), 'passwd');
  assert.equal(safeFileName('..\\..\\x.cu'), 'x.cu');
  assert.equal(safeFileName('my kernel;rm -rf.cu'), 'my_kernel_rm_-rf.cu');
  assert.equal(safeFileName('..'), 'cell.cu');
  assert.equal(safeFileName(''), 'cell.cu');
  assert.equal(safeFileName('.hidden'), 'hidden');
});

test('flags that write outside the job directory are found in every spelling', () => {
  for (const flags of [
    ['-o', 'x'],
    ['-o/tmp/x'],
    ['--output-file=/x'],
    ['--output-directory', '/x'],
    ['-odir=/x'],
    ['--keep-dir', '/x'],
    ['-MF/x'],
    ['--options-file', 'f'],
    ['-optf', 'f'],
  ]) {
    assert.ok(outputFlag(flags), flags.join(' '));
  }
  for (const flags of [['-O3'], ['-lineinfo', '-DOUT=1'], ['--std=c++17'], ['-arch=sm_80'], ['-opt-info', 'inline']])
    assert.equal(outputFlag(flags), undefined, flags.join(' '));
});

test('requests over the source limit, with an output flag or odd file names are refused', () => {
  assert.throws(() => checkRequest(request({ source_code: 'x'.repeat(11) }), 10), RequestError);
  assert.throws(() => checkRequest(request({ compiler_flags: ['-o', '/etc/x'] }), 1000), /"-o" would write outside/);
  assert.throws(() => checkRequest(request({ files: [{ name: '../x', content: Buffer.alloc(0) }] }), 1000), /not a plain base name/);
  assert.throws(() => checkRequest(request({ files: [{ name: 'prog', content: Buffer.alloc(0) }] }), 1000), /reserved/);
  checkRequest(request({ files: [{ name: 'data.bin', content: Buffer.alloc(3) }] }), 1000);
});

test("a job's time limit: the request's within the host's, else the host's", () => {
  assert.deepEqual(timeLimit(5, 60), { seconds: 5, source: '%timeout 5' });
  assert.deepEqual(timeLimit(120, 60), { seconds: 60, source: "the host's --job-timeout 60" });
  assert.deepEqual(timeLimit(0, 60), { seconds: 60, source: "the host's --job-timeout 60" });
  assert.deepEqual(timeLimit(7, 0), { seconds: 7, source: '%timeout 7' });
  assert.equal(timeLimit(0, 0), undefined);
});

test('a session cell is checked like a program, and its session id must be a plain token', () => {
  const cell = (extra: Partial<SessionCellRequest>): SessionCellRequest => ({
    session_id: '0b06f251-b771-474e-b28c-7beceb31a214',
    source_code: 'int x = 1;',
    compiler_flags: [],
    execution_count: 1,
    timeout_s: 0,
    check: false,
    nocache: false,
    require_existing: false,
    announce_hit: false,
    ...extra,
  });
  assert.doesNotThrow(() => checkSessionRequest(cell({}), 100));
  assert.throws(
    () => checkSessionRequest(cell({ source_code: 'x'.repeat(101) }), 100),
    /source is 101 bytes; this host accepts at most 100/,
  );
  assert.throws(() => checkSessionRequest(cell({ compiler_flags: ['-odir=/tmp'] }), 100), /"-odir=\/tmp" would write outside/);
  for (const id of ['', '../x', 'a b', 'x'.repeat(101)])
    assert.throws(
      () => checkSessionRequest(cell({ session_id: id }), 100),
      (e: Error) => e instanceof RequestError && /session id/.test(e.message),
    );
});
