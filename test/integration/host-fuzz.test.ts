// A fuzz pass against the GPU host's gRPC API: malformed protobuf, huge fields and a crowd of
// unauthenticated calls. Nothing runs without the token, and the host keeps serving.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { computeService, SERVICE_NAME, type ComputeResponse } from '../../src/remote/proto.js';
import { TestHost } from '../support/host.js';

const seed = Number(process.env.ICUDA_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TOKEN = 'fuzz-token-7f3a9c';

/** Metadata carrying a bearer token. */
function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** A program that, if it ever ran, would leave `marker` behind. */
const planting = (marker: string) =>
  `#include <cstdio>\nint main() { FILE *f = fopen("${marker}", "w"); fputs("ran", f); fclose(f); printf("ran\\n"); return 0; }\n`;

/** Runs one ExecuteCode call to its end: the events, or the gRPC status code it failed with. */
function call(client: any, request: object, metadata: grpc.Metadata): Promise<{ events: ComputeResponse[]; code?: number }> {
  return new Promise((resolve) => {
    const events: ComputeResponse[] = [];
    const stream = client.ExecuteCode(request, metadata);
    stream.on('data', (m: ComputeResponse) => events.push(m));
    stream.on('error', (e: grpc.ServiceError) => resolve({ events, code: e.code }));
    stream.on('end', () => resolve({ events }));
  });
}

describe('fuzzing the GPU host', () => {
  test('malformed protobuf, huge fields and 200 unauthenticated calls run nothing; the host keeps serving', async (t) => {
    t.diagnostic(`fuzz seed ${seed} (replay: ICUDA_FUZZ_SEED=${seed})`);
    const tokenFile = join(tmpdir(), `icuda-fuzz-token-${process.pid}`);
    await writeFile(tokenFile, TOKEN + '\n', { mode: 0o600 });
    const host = await TestHost.start(['--token-file', tokenFile]);
    const client = new (computeService().Client)(host.address, grpc.credentials.createInsecure()) as any;
    const raw = new grpc.Client(host.address, grpc.credentials.createInsecure());
    const marker = join(host.home, 'pwned');
    try {
      // 1. Random bytes as the request message, with and without the token.
      const garbage = fc.sample(fc.uint8Array({ maxLength: 512 }), { seed, numRuns: 100 });
      let answered = 0;
      for (const [i, bytes] of garbage.entries()) {
        const code = await new Promise<number>((resolve) => {
          const stream = raw.makeServerStreamRequest(
            `/${SERVICE_NAME}/ExecuteCode`,
            (b: Buffer) => b,
            (b: Buffer) => b,
            Buffer.from(bytes),
            i % 2 ? bearer(TOKEN) : new grpc.Metadata(),
          );
          stream.on('data', () => undefined);
          stream.on('error', (e: grpc.ServiceError) => resolve(e.code));
          stream.on('end', () => resolve(grpc.status.OK));
        });
        // Unparseable bytes fail to deserialize (INTERNAL) before any handler; parseable ones
        // meet the token check. Either way nothing runs without the token.
        if (i % 2 === 0)
          assert.ok([grpc.status.UNAUTHENTICATED, grpc.status.INTERNAL].includes(code), `garbage ${i} without a token: ${code}`);
        answered++;
      }
      // 2. Huge fields: 64 MB of source, 20 000 flags, 10 000 args; authenticated.
      const huge = [
        { source_code: '// ' + 'x'.repeat(64 * 1024 * 1024) },
        { source_code: planting(marker), compiler_flags: Array.from({ length: 20_000 }, (_, i) => `-DX${i}=1`).concat(['-o', '/tmp/x']) },
        {
          source_code: 'int main() { return 0; }',
          file_name: '../'.repeat(500) + 'etc/passwd',
          args: Array.from({ length: 10_000 }, () => 'a'.repeat(100)),
        },
      ];
      for (const request of huge) {
        const result = await call(client, request, bearer(TOKEN));
        assert.ok(result.code !== undefined || result.events.length > 0, 'an answer');
      }
      // 3. 200 concurrent calls without a token (or with a wrong one): all refused, none ran.
      const crowd = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          call(client, { source_code: planting(marker) }, i % 2 ? bearer('wrong-' + i) : new grpc.Metadata()),
        ),
      );
      assert.deepEqual([...new Set(crowd.map((r) => r.code))], [grpc.status.UNAUTHENTICATED]);
      assert.equal(existsSync(marker), false, 'an unauthenticated program ran');
      // 4. Still serving: an authenticated hello.
      const hello = await call(client, { source_code: '#include <cstdio>\nint main() { printf("alive\\n"); return 0; }\n' }, bearer(TOKEN));
      assert.equal(hello.code, undefined);
      assert.match(hello.events.map((e) => e.output).join(''), /alive/);
      assert.equal(host.log.includes(TOKEN), false, 'the token reached the log');
      t.diagnostic(`${answered} garbage messages, ${huge.length} huge requests, ${crowd.length} unauthenticated calls; 0 ran`);
    } finally {
      client.close();
      raw.close();
      await host.close();
      await rm(tokenFile, { force: true });
    }
  });

  test('session calls: garbage, bad session ids and 200 unauthenticated cells open no session and run nothing', async (t) => {
    const tokenFile = join(tmpdir(), `icuda-fuzz-token-s-${process.pid}`);
    await writeFile(tokenFile, TOKEN + '\n', { mode: 0o600 });
    const host = await TestHost.start(['--token-file', tokenFile, '--max-sessions', '2']);
    const client = new (computeService().Client)(host.address, grpc.credentials.createInsecure()) as any;
    const raw = new grpc.Client(host.address, grpc.credentials.createInsecure());
    const marker = join(host.home, 'pwned-session');
    const cell = (id: string) => ({
      session_id: id,
      source_code: `#include <cstdio>\nFILE *f = fopen("${marker}", "w");\nfputs("ran", f);`,
    });
    try {
      const methods = ['RunSessionCell', 'HoldSession', 'ResetSession', 'DescribeSession', 'EndSession'];
      const garbage = fc.sample(fc.uint8Array({ maxLength: 256 }), { seed: seed + 1, numRuns: 50 });
      for (const [i, bytes] of garbage.entries()) {
        const method = methods[i % methods.length];
        const code = await new Promise<number>((resolve) => {
          const path = `/${SERVICE_NAME}/${method}`;
          const done = (e: grpc.ServiceError | null) => resolve(e ? e.code : grpc.status.OK);
          if (/Run|Hold/.test(method)) {
            const stream = raw.makeServerStreamRequest(
              path,
              (b: Buffer) => b,
              (b: Buffer) => b,
              Buffer.from(bytes),
              new grpc.Metadata(),
            );
            stream.on('data', () => undefined);
            stream.on('error', done);
            stream.on('end', () => done(null));
          } else
            raw.makeUnaryRequest(
              path,
              (b: Buffer) => b,
              (b: Buffer) => b,
              Buffer.from(bytes),
              new grpc.Metadata(),
              done,
            );
        });
        assert.ok([grpc.status.UNAUTHENTICATED, grpc.status.INTERNAL].includes(code), `${method} garbage ${i} without a token: ${code}`);
      }
      for (const id of ['', '../../etc', 'x'.repeat(10_000), 'a b']) {
        const refused = await sessionCall(client, cell(id), bearer(TOKEN));
        assert.equal(refused.code, grpc.status.INVALID_ARGUMENT, `session id ${JSON.stringify(id.slice(0, 20))}`);
      }
      const crowd = await Promise.all(
        Array.from({ length: 200 }, (_, i) => sessionCall(client, cell(`s${i}`), i % 2 ? bearer('wrong-' + i) : new grpc.Metadata())),
      );
      assert.deepEqual([...new Set(crowd.map((r) => r.code))], [grpc.status.UNAUTHENTICATED]);
      assert.equal(existsSync(marker), false, 'an unauthenticated session cell ran');
      assert.equal(/session opened/.test(host.log), false, 'no session was opened');
      t.diagnostic(`${garbage.length} garbage messages, 4 bad ids, ${crowd.length} unauthenticated session cells; 0 ran`);
    } finally {
      client.close();
      raw.close();
      await host.close();
      await rm(tokenFile, { force: true });
    }
  });
});

/** Runs one RunSessionCell call to its end: the events, or the gRPC status code it failed with. */
function sessionCall(client: any, request: object, metadata: grpc.Metadata): Promise<{ events: ComputeResponse[]; code?: number }> {
  return new Promise((resolve) => {
    const events: ComputeResponse[] = [];
    const stream = client.RunSessionCell(request, metadata);
    stream.on('data', (m: ComputeResponse) => events.push(m));
    stream.on('error', (e: grpc.ServiceError) => resolve({ events, code: e.code }));
    stream.on('end', () => resolve({ events }));
  });
}
