// Stdin relaying: spotting a read on fd 0, and answering it from a real child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { isReadingStdin, relayStdin } from '../../../src/engine/run/stdin-relay.js';
import { RecordingSink } from '../../support/fakes.js';

const linux = process.platform === 'linux' ? undefined : '/proc/<pid>/syscall is Linux only';

describe('stdin relay', () => {
  test('a /proc syscall line is a stdin read only for read/readv on fd 0', () => {
    assert.equal(isReadingStdin('0 0x0 0x7f0e 0x20000 0x0 0x0 0x0 0x7ffe 0x7f0e', 'x64'), true);
    assert.equal(isReadingStdin('0 0x3 0x7f0e 0x20000 0x0 0x0 0x0 0x7ffe 0x7f0e', 'x64'), false);
    assert.equal(isReadingStdin('35 0x7ffe 0x0 0x0 0x0 0x0 0x0 0x7ffe 0x7f0e', 'x64'), false, 'nanosleep');
    assert.equal(isReadingStdin('63 0x0 0xffff 0x1000 0 0 0 0 0', 'arm64'), true);
    assert.equal(isReadingStdin('running', 'x64'), false);
  });

  test('a reading child gets each line it blocks for, then end-of-file', { skip: linux, timeout: 20000 }, async () => {
    const child = spawn('sh', ['-c', 'read a; read b; echo "$a+$b"; read c || echo end'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const asked: string[] = [];
    const answers = ['1', '2'];
    const sink = new RecordingSink();
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const relay = relayStdin({
      pid: child.pid,
      stdin: child.stdin,
      output: sink,
      input: async (prompt) => {
        asked.push(prompt);
        const a = answers.shift();
        if (a === undefined) throw new Error('no more');
        return a;
      },
    });
    await once(child, 'exit');
    relay.stop();
    assert.equal(out, '1+2\nend\n');
    assert.equal(asked.length, 3, 'two lines, then the refused third ends input');
  });

  test('without input the first read gets end-of-file and one notice', { skip: linux, timeout: 20000 }, async () => {
    const child = spawn('sh', ['-c', 'sleep 0.2; read a || echo eof'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const sink = new RecordingSink();
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const relay = relayStdin({ pid: child.pid, stdin: child.stdin, output: sink });
    await once(child, 'exit');
    relay.stop();
    assert.equal(out, 'eof\n');
    assert.equal(sink.text('stderr'), 'icuda: the program reads stdin, but this frontend does not allow input: it got end-of-file\n');
  });
});
