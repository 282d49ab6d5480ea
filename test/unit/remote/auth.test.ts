import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { bearerAuthorizer } from '../../../src/remote/auth.js';
import { executorEnv } from '../../../src/cli/install-command.js';

const withAuth = (value?: string) => {
  const metadata = new Metadata();
  if (value !== undefined) metadata.set('authorization', value);
  return metadata;
};

test('only `Bearer TOKEN` with the right token passes', () => {
  const authorize = bearerAuthorizer('s3cret');
  assert.equal(authorize(withAuth('Bearer s3cret')), true);
  for (const value of [undefined, '', 's3cret', 'Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 'bearer s3cret']) {
    assert.equal(authorize(withAuth(value)), false, String(value));
  }
});

test('install --executor writes the kernel environment, and refuses mixed options', () => {
  assert.deepEqual(executorEnv({ executor: 'local' }), {});
  assert.deepEqual(executorEnv({ executor: 'remote', host: 'gpu:50051', tokenFile: '/etc/icuda/token' }), {
    ICUDA_EXECUTOR: 'remote',
    ICUDA_HOST: 'gpu:50051',
    ICUDA_TOKEN_FILE: '/etc/icuda/token',
  });
  assert.deepEqual(executorEnv({ executor: 'slurm', slurmArgs: '-p gpu --gres=gpu:1' }), {
    ICUDA_EXECUTOR: 'slurm',
    ICUDA_SLURM_ARGS: '-p gpu --gres=gpu:1',
  });
  assert.throws(() => executorEnv({ executor: 'remote' }), /needs --host/);
  assert.throws(() => executorEnv({ executor: 'local', host: 'gpu:1' }), /need --executor remote/);
  assert.throws(() => executorEnv({ executor: 'slurm', host: 'gpu:1' }), /go with --executor remote/);
});
