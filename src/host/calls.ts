// What every call on the host shares: the context the handlers work in, the refusals (token,
// shutdown), the tracking of streaming calls for the graceful stop, the wait for a job slot with
// its queue events, and the EXIT event that ends a stream.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { v4 as uuid } from 'uuid';
import type { RunOutcome } from '../engine/outcome.js';
import type { Reaper } from '../engine/run/reaper.js';
import type { Scratch } from '../engine/scratch.js';
import type { ToolchainLookup } from '../engine/toolchain/toolchain.js';
import type { Authorizer } from '../remote/auth.js';
import type { ComputeResponse } from '../remote/proto.js';
import type { Settings } from '../settings/settings.js';
import type { JobQueue, Slot } from './queue.js';
import { RequestError, type Refusal } from './request.js';

export type { Refusal } from './request.js';
import type { HostSessions } from './sessions.js';

export interface HostLimits {
  maxJobs: number;
  jobTimeoutS: number;
  maxOutputBytes: number;
  maxSourceBytes: number;
  /** Sessions held at once; the next one is refused. */
  maxSessions: number;
  /** A session that runs nothing for this long ends (0: never). */
  sessionIdleS: number;
}

/** An event to stream: at least its kind; the rest defaults to empty. */
export type JobEvent = Partial<ComputeResponse> & Pick<ComputeResponse, 'kind'>;

/** What the handlers work with. */
export interface HostContext {
  limits: HostLimits;
  log: Logger;
  settings: Settings;
  authorize: Authorizer;
  reaper: Reaper;
  scratch: Scratch;
  queue: JobQueue;
  sessions: HostSessions;
  /** nvcc, looked up once (again after a failure). */
  toolchain(): Promise<ToolchainLookup>;
  /** Streaming calls in progress (programs and session cells), for the graceful stop. */
  calls: Map<string, { controller: AbortController; done: Promise<void> }>;
  /** Whether the host is shutting down. */
  stopping(): boolean;
}

/** Why a call may not run (no token, shutting down, a request check failing), or undefined. */
export function refusal(ctx: HostContext, metadata: grpc.Metadata, check: () => void = () => undefined): Refusal | undefined {
  if (!ctx.authorize(metadata)) return { code: grpc.status.UNAUTHENTICATED, details: 'missing or invalid token' };
  if (ctx.stopping()) return { code: grpc.status.UNAVAILABLE, details: 'the host is shutting down' };
  try {
    check();
  } catch (error) {
    if (error instanceof RequestError) return { code: grpc.status.INVALID_ARGUMENT, details: error.message };
    throw error;
  }
  return undefined;
}

type Stream = grpc.ServerWritableStream<unknown, ComputeResponse>;

/** Runs a streaming call as a job: tracked for the stop, aborted when the client cancels, a bug answered as INTERNAL. */
export function trackCall(ctx: HostContext, call: Stream, run: (jobId: string, controller: AbortController) => Promise<void>): void {
  const jobId = uuid();
  const controller = new AbortController();
  call.on('cancelled', () => controller.abort());
  const done = run(jobId, controller)
    .catch((error: unknown) => {
      ctx.log.error({ job: jobId, err: error }, 'job failed');
      if (!call.cancelled) call.emit('error', { code: grpc.status.INTERNAL, details: String((error as Error).message ?? error) });
    })
    .finally(() => ctx.calls.delete(jobId));
  ctx.calls.set(jobId, { controller, done });
}

/** Writes events to the call while the client is there, each tagged with the job id. */
export function sender(call: Stream, jobId: string): (event: JobEvent) => void {
  return (event) => {
    if (!call.cancelled && !call.destroyed) call.write({ output: '', is_error: false, job_id: jobId, ...event });
  };
}

/** A job slot, telling the client its queue position while it waits; undefined when cancelled first. */
export async function takeSlot(ctx: HostContext, signal: AbortSignal, send: (event: JobEvent) => void): Promise<Slot | undefined> {
  const started = Date.now();
  let waited = false;
  const slot = await ctx.queue
    .acquire(signal, (position) => {
      waited = true;
      send({ kind: 'EVENT_KIND_STATUS', queue_position: position, is_error: true, output: `[icuda host] queued: position ${position}\n` });
    })
    .catch(() => undefined);
  if (slot && waited) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    send({ kind: 'EVENT_KIND_STATUS', is_error: true, output: `[icuda host] running after ${seconds} s in the queue\n` });
  }
  return slot;
}

/** The last event: how the job ended, readable by an original client as output + is_error. */
export function exitEvent(outcome: RunOutcome): JobEvent {
  if (outcome.status === 'ok') return { kind: 'EVENT_KIND_EXIT', exit_code: 0 };
  const code = /exited with code (\d+)/.exec(outcome.evalue);
  const signal = /killed by (SIG\w+)/.exec(outcome.evalue);
  return {
    kind: 'EVENT_KIND_EXIT',
    is_error: true,
    output: `${outcome.ename}: ${outcome.evalue}\n`,
    exit_code: code ? Number(code[1]) : -1,
    signal: signal?.[1] ?? '',
    error_name: outcome.ename,
    error_value: outcome.evalue,
    traceback: outcome.traceback,
  };
}
