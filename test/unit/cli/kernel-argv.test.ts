// The kernelspec's command line is recognised without commander; anything else is left to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelConnectionFile } from '../../../src/cli/kernel-argv.js';

test('exactly `kernel --connection-file FILE` or `kernel -f FILE` names the file', () => {
  assert.equal(kernelConnectionFile(['kernel', '--connection-file', '/run/kernel-1.json']), '/run/kernel-1.json');
  assert.equal(kernelConnectionFile(['kernel', '-f', 'kernel 2.json']), 'kernel 2.json');
});

test('every other command line is for commander', () => {
  for (const argv of [
    [],
    ['kernel'],
    ['kernel', '-f'],
    ['kernel', '-f', ''],
    ['kernel', '-f', '--help'],
    ['kernel', '--connection-file=/x.json'],
    ['kernel', '-f', '/x.json', '--extra'],
    ['kernel', '--help'],
    ['install', '--user'],
    ['run', '-f', 'x'],
  ]) {
    assert.equal(kernelConnectionFile(argv), undefined, JSON.stringify(argv));
  }
});
