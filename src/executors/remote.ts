// The remote executor: the cell goes to an `icuda host` over gRPC; its events stream into the
// cell's output; its end becomes the same outcome a local run would have. Interrupt cancels the
// call (the host kills the job). A fresh channel per cell, so a restarted host just works.
// Session cells run in a session the host keeps for this kernel (remote-sessions.ts).
import type { ComputeRequest } from '../remote/proto.js';
import type { CellJob, Executor, SessionRunner } from './executor.js';
import { connect, streamCall, type RemoteOptions } from './remote-call.js';
import { RemoteSessions } from './remote-sessions.js';

export type { RemoteOptions } from './remote-call.js';

/** Builds the executor; nothing connects until the first cell. */
export function createRemoteExecutor(options: RemoteOptions): Executor & { sessions: SessionRunner } {
  return {
    where: `on ${options.host} (remote GPU host)`,
    needsLocalToolchain: false,
    sessions: new RemoteSessions(options),
    async execute(job, ctx) {
      const connection = await connect(options);
      if ('status' in connection) return connection;
      const { client, metadata } = connection;
      try {
        return await streamCall(() => client.ExecuteCode(toRequest(job), metadata), ctx, options.host);
      } finally {
        client.close();
      }
    },
  };
}

/** The request for a cell. */
function toRequest(job: CellJob): ComputeRequest {
  return {
    source_code: job.source,
    file_name: 'cell.cu',
    compiler_flags: job.flags,
    program_args: job.args,
    env: job.env,
    timeout_s: job.timeoutS ?? job.defaultTimeoutS ?? 0,
    files: job.files ?? [],
    stdin_data: Buffer.alloc(0),
    execution_count: job.executionCount,
  };
}
