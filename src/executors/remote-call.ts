// What the remote executor's calls share: a client and its metadata (the token), a streamed call
// run to its end (events into the cell's output, the EXIT event or the call's error to an
// outcome, interrupt cancelling it), and failed calls as clear errors naming the host.
import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { errorOutcome, interrupted } from '../engine/errors.js';
import type { OutputSink, RunOutcome } from '../engine/outcome.js';
import { bearer } from '../remote/auth.js';
import { computeService, type ComputeClient, type ComputeResponse, type DisplayEvent } from '../remote/proto.js';
import { channelCredentials, type ChannelTls } from '../remote/tls.js';

/** The GPU host and how to reach it: the token file and the TLS options. */
export interface RemoteOptions extends ChannelTls {
  tokenFile?: string;
  /** For what the host sends that cannot be shown (a bad display event). */
  log?: Logger;
}

export interface Connection {
  client: ComputeClient;
  metadata: grpc.Metadata;
}

/** A fresh client (so a restarted host just works) and the call metadata; a HostError when the files cannot be read. */
export async function connect(options: RemoteOptions): Promise<Connection | RunOutcome> {
  try {
    const client = new (computeService().Client)(options.host, await channelCredentials(options)) as unknown as ComputeClient;
    const metadata = new grpc.Metadata();
    if (options.tokenFile) metadata.set('authorization', bearer((await readFile(options.tokenFile, 'utf8')).split('\n')[0].trim()));
    return { client, metadata };
  } catch (error) {
    return hostError(options.host, (error as Error).message);
  }
}

/** Where a call's events go and what stops it. */
export interface CallContext {
  output: OutputSink;
  signal: AbortSignal;
  log?: Logger;
}

/** Runs a streamed call to its end; `failed` turns the call's error into the outcome (default: callError). */
export function streamCall(
  start: () => grpc.ClientReadableStream<ComputeResponse>,
  ctx: CallContext,
  host: string,
  failed: (error: grpc.ServiceError) => RunOutcome = (error) => callError(host, error),
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const call = start();
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
      else finish(failed(error));
    });
    call.on('end', () => finish(outcome ?? hostError(host, 'the host ended the call without saying how the cell ended')));
    if (ctx.signal.aborted) onAbort();
  });
}

/** Passes one event to the cell's output; answers the outcome when it is the EXIT event. */
function deliver(event: ComputeResponse, ctx: CallContext): RunOutcome | undefined {
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
function showDisplay(json: string, ctx: CallContext): void {
  try {
    const { data, metadata, display_id: id, update } = JSON.parse(json) as DisplayEvent;
    if (update && id) ctx.output.updateDisplay(id, data, metadata);
    else ctx.output.display(data, metadata, id);
  } catch (error) {
    ctx.log?.warn({ err: error }, 'bad display event from the host');
  }
}

/** A failed call as one clear error: which host, what went wrong. */
export function callError(host: string, error: grpc.ServiceError): RunOutcome {
  const name = grpc.status[error.code] ?? String(error.code);
  if (error.code === grpc.status.INVALID_ARGUMENT) return errorOutcome('HostRefused', `${host} refused the cell: ${error.details}`);
  return hostError(host, `${name}: ${error.details || error.message}`);
}

/** The host could not be used: names it and the cause. */
export function hostError(host: string, cause: string): RunOutcome {
  return errorOutcome('HostError', `cannot run on ${host}: ${cause}`);
}
