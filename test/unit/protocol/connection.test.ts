import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { endpoint, readConnectionFile } from '../../../src/protocol/connection.js';

const GOOD = {
  transport: 'tcp',
  ip: '127.0.0.1',
  shell_port: 5001,
  control_port: 5002,
  stdin_port: 5003,
  iopub_port: 5004,
  hb_port: 5005,
  key: 'abc',
  signature_scheme: 'hmac-sha256',
  kernel_name: 'icuda',
};

const made: string[] = [];
after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Writes a connection file and returns its path (its directory is removed after the tests). */
async function file(contents: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'icuda-conn-'));
  made.push(dir);
  const path = join(dir, 'kernel.json');
  await writeFile(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

describe('connection file', () => {
  test('a good tcp file gives tcp endpoints', async () => {
    const info = await readConnectionFile(await file(GOOD));
    assert.equal(info.key, 'abc');
    assert.equal(endpoint(info, 'shell'), 'tcp://127.0.0.1:5001');
    assert.equal(endpoint(info, 'hb'), 'tcp://127.0.0.1:5005');
  });

  test('a good ipc file gives jupyter_client ipc endpoints', async () => {
    const info = await readConnectionFile(await file({ ...GOOD, transport: 'ipc', ip: '/tmp/kernel-x', shell_port: 1, iopub_port: 4 }));
    assert.equal(endpoint(info, 'shell'), 'ipc:///tmp/kernel-x-1');
    assert.equal(endpoint(info, 'iopub'), 'ipc:///tmp/kernel-x-4');
  });

  test('an empty key is allowed', async () => {
    assert.equal((await readConnectionFile(await file({ ...GOOD, key: '' }))).key, '');
  });

  test('a missing port is named', async () => {
    const { stdin_port: _, ...missing } = GOOD;
    await assert.rejects(readConnectionFile(await file(missing)), /stdin_port must be an integer port.*got undefined/);
    await assert.rejects(readConnectionFile(await file({ ...GOOD, hb_port: '5005' })), /hb_port.*"5005"/);
  });

  test('a bad scheme or transport is quoted', async () => {
    await assert.rejects(readConnectionFile(await file({ ...GOOD, signature_scheme: 'hmac-md17' })), /"hmac-md17".*not supported/);
    await assert.rejects(readConnectionFile(await file({ ...GOOD, signature_scheme: 'sha256' })), /got "sha256"/);
    await assert.rejects(readConnectionFile(await file({ ...GOOD, transport: 'udp' })), /got "udp"/);
  });

  test('bad JSON names the file', async () => {
    const path = await file('{oops');
    await assert.rejects(readConnectionFile(path), (e: Error) => e.message.includes(path) && /not valid JSON/.test(e.message));
  });
});
