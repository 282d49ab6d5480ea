// The remote executor: the cell goes to an `icuda host` over gRPC; its events stream into the
// cell's output; its end becomes the same outcome a local run would have. Interrupt cancels the
// call (the host kills the job). A fresh channel per cell, so a restarted host just works.
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import type { RunOutcome } from '../engine/outcome.js';
import { bearer } from '../remote/auth.js';
import { channelCredentials, type ChannelTls } from '../remote/tls.js';
import { computeService, type ComputeClient, type ComputeRequest, type ComputeResponse, type DisplayEvent } from '../remote/proto.js';
import { errorOutcome, interrupted } from '../engine/errors.js';
import type { CellJob, Executor, RunContext } from './executor.js';

/** The GPU host and how to reach it: the token file and the TLS options. */
export interface RemoteOptions extends ChannelTls {
  tokenFile?: string;
}

/** Builds the executor; nothing connects until the first cell. */
export function createRemoteExecutor(options: RemoteOptions): Executor {
  return {
    where: `on ${options.host} (remote GPU host)`,
    needsLocalToolchain: false,
    sessions: 'session cells on a GPU host are not supported yet; cells with main() run there as before',
    async execute(job, ctx) {
      let client: ComputeClient;
      let metadata: grpc.Metadata;
      try {
        client = new (computeService().Client)(options.host, await channelCredentials(options)) as never;
        metadata = new grpc.Metadata();
        if (options.tokenFile) metadata.set('authorization', bearer((await readFile(options.tokenFile, 'utf8')).split('\n')[0].trim()));
      } catch (error) {
        return hostError(options.host, (error as Error).message);
      }
      try {
        return await streamJob(client, metadata, toRequest(job), ctx, options.host);
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

/** Runs the call to its end: events to the output, the EXIT event (or the call's error) to an outcome. */
function streamJob(
  client: ComputeClient,
  metadata: grpc.Metadata,
  request: ComputeRequest,
  ctx: RunContext,
  host: string,
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const call = client.ExecuteCode(request, metadata);
    let outcome: RunOutcome | undefined;
    const onAbort = () => call.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    call.on('data', (event: ComputeResponse) => {
      outcome = deliver(event, ctx) ?? outcome;
    });
    const finish = (result: RunOutcome) => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    call.on('error', (error: grpc.ServiceError) => {
      if (error.code === grpc.status.CANCELLED && ctx.signal.aborted) finish(interrupted());
      else finish(callError(host, error));
    });
    call.on('end', () => finish(outcome ?? hostError(host, 'the host ended the call without saying how the program ended')));
    if (ctx.signal.aborted) onAbort();
  });
}

/** Passes one event to the cell's output; answers the outcome when it is the EXIT event. */
function deliver(event: ComputeResponse, ctx: RunContext): RunOutcome | undefined {
  switch (event.kind) {
    case 'EVENT_KIND_STDOUT':
      ctx.output.stream('stdout', event.output);
      return undefined;
    case 'EVENT_KIND_STDERR':
      ctx.output.stream('stderr', event.output);
      return undefined;
    // Errors come back in the EXIT event's traceback, shown once, as locally; warnings on stderr.
    case 'EVENT_KIND_COMPILE_DIAGNOSTIC':
      if (!event.is_error) ctx.output.stream('stderr', event.output);
      return undefined;
    case 'EVENT_KIND_STATUS':
      if (event.output) ctx.output.stream('stderr', event.output);
      return undefined;
    case 'EVENT_KIND_DISPLAY_DATA':
      showDisplay(event.display_json ?? '', ctx);
      return undefined;
    case 'EVENT_KIND_EXIT':
      return event.error_name
        ? errorOutcome(event.error_name, event.error_value ?? '', event.traceback?.length ? event.traceback : undefined)
        : { status: 'ok' };
    default:
      if (event.output) ctx.output.stream(event.is_error ? 'stderr' : 'stdout', event.output);
      return undefined;
  }
}

/** A display event's bundle to display or update_display. */
function showDisplay(json: string, ctx: RunContext): void {
  try {
    const { data, metadata, display_id: id, update } = JSON.parse(json) as DisplayEvent;
    if (update && id) ctx.output.updateDisplay(id, data, metadata);
    else ctx.output.display(data, metadata, id);
  } catch (error) {
    ctx.log.warn({ err: error }, 'bad display event from the host');
  }
}

/** A failed call as one clear error: which host, what went wrong. */
function callError(host: string, error: grpc.ServiceError): RunOutcome {
  const name = grpc.status[error.code] ?? String(error.code);
  if (error.code === grpc.status.INVALID_ARGUMENT) return errorOutcome('HostRefused', `${host} refused the cell: ${error.details}`);
  return hostError(host, `${name}: ${error.details || error.message}`);
}

function hostError(host: string, cause: string): RunOutcome {
  return errorOutcome('HostError', `cannot run on ${host}: ${cause}`);
}
