// The session calls of the service: a session cell runs in its kernel's Session (made by its
// first cell with the host's settings), one job slot held while it runs, its output streamed as
// for a program; reset, describe, end, and the hold by which a kernel keeps its session.
import * as grpc from '@grpc/grpc-js';
import { openCacheSession } from '../engine/compile/cache/cached-compile.js';
import { errorOutcome } from '../engine/errors.js';
import type { RunOutcome } from '../engine/outcome.js';
import type { Toolchain } from '../engine/toolchain/toolchain.js';
import type { ComputeResponse, SessionCellRequest, SessionDescription, SessionRef, SessionReply } from '../remote/proto.js';
import { Session } from '../session/session.js';
import { programLimits } from '../settings/settings.js';
import { exitEvent, refusal, sender, takeSlot, trackCall, type HostContext, type JobEvent, type Refusal } from './calls.js';
import { timeLimit } from './job.js';
import { limitedSink, outputLimitError } from './job-output.js';
import { checkSessionId, checkSessionRequest } from './request.js';

type CellCall = grpc.ServerWritableStream<SessionCellRequest, ComputeResponse>;
type Unary<R> = (call: grpc.ServerUnaryCall<SessionRef, R>, callback: grpc.sendUnaryData<R>) => void;

/** The handlers of the session calls. */
export function sessionCalls(ctx: HostContext): grpc.UntypedServiceImplementation {
  /** Answers a unary call on a session: refused, or what `answer` makes of its id. */
  const unary =
    <R>(answer: (id: string) => Promise<R> | R): Unary<R> =>
    (call, callback) => {
      const refused = refusal(ctx, call.metadata, () => checkSessionId(call.request.session_id));
      if (refused) return refuse(ctx, call, refused, callback);
      Promise.resolve(answer(call.request.session_id)).then(
        (reply) => callback(null, reply),
        (error: unknown) => callback({ code: grpc.status.INTERNAL, details: String((error as Error).message ?? error) }),
      );
    };
  return {
    RunSessionCell(call: CellCall) {
      const refused = refusal(ctx, call.metadata, () => checkSessionRequest(call.request, ctx.limits.maxSourceBytes));
      if (refused) return refuse(ctx, call, refused);
      trackCall(ctx, call, (jobId, controller) => runSessionCell(ctx, call, jobId, controller));
    },
    ResetSession: unary<SessionReply>(async (id) => {
      const done = await ctx.sessions.use(id, new AbortController(), (session) => session.reset());
      return { existed: done !== 'gone' };
    }),
    DescribeSession: unary<SessionDescription>((id) => {
      const session = ctx.sessions.peek(id);
      return { names: session?.describe() ?? [], existed: Boolean(session) };
    }),
    EndSession: unary<SessionReply>(async (id) => ({ existed: await ctx.sessions.end(id, 'its kernel ended it') })),
    HoldSession(call: grpc.ServerWritableStream<SessionRef, SessionReply>) {
      const refused = refusal(ctx, call.metadata, () => checkSessionId(call.request.session_id));
      if (refused) return refuse(ctx, call, refused);
      const id = call.request.session_id;
      const gone = ctx.sessions.hold(id, () => {
        if (!call.cancelled) call.end();
      });
      call.on('cancelled', gone);
      call.write({ existed: ctx.sessions.has(id) });
    },
  };
}

/** One session cell from its request to its EXIT event. */
async function runSessionCell(ctx: HostContext, call: CellCall, jobId: string, controller: AbortController): Promise<void> {
  const request = call.request;
  const id = request.session_id;
  const log = ctx.log.child({ job: jobId, session: id, client: call.getPeer() });
  const send = sender(call, jobId);
  const started = Date.now();
  log.info({ sourceBytes: Buffer.byteLength(request.source_code), flags: request.compiler_flags.length }, 'session cell received');
  const found = await ctx.toolchain();
  if (!found.found) throw new Error(`nvcc not found on the host; looked in ${found.looked.join(', ')}`);
  const refused = ctx.sessions.open(id, request.require_existing, () => makeSession(ctx, found.toolchain, id));
  if (refused) return refuse(ctx, call, refused);
  const outcome = await ctx.sessions.use(id, controller, async (session) => {
    const slot = await takeSlot(ctx, controller.signal, send);
    if (!slot) return undefined; // cancelled while queued
    try {
      return await runCell(ctx, session, request, controller.signal, send);
    } finally {
      slot.release();
    }
  });
  if (call.cancelled) return log.info({ outcome: 'cancelled' }, 'session cell ended');
  // Aborted but not by the client: the host stopped, or the session was ended under the cell.
  const last = typeof outcome === 'object' && !controller.signal.aborted ? outcome : endedOutcome(ctx);
  send(exitEvent(last));
  log.info({ outcome: last.status === 'ok' ? 'ok' : last.ename, ms: Date.now() - started }, 'session cell ended');
  if (!call.cancelled) call.end();
}

/** Runs the cell in its session, under the host's limits of time and output. */
async function runCell(
  ctx: HostContext,
  session: Session,
  request: SessionCellRequest,
  signal: AbortSignal,
  send: (event: JobEvent) => void,
): Promise<RunOutcome> {
  const output = limitedSink(ctx.limits.maxOutputBytes, send);
  const outcome = await session.runCell(request.source_code, {
    executionCount: request.execution_count,
    flags: request.compiler_flags,
    signal: AbortSignal.any([signal, output.tooMuch.signal]),
    output,
    timeLimit: timeLimit(request.timeout_s, ctx.limits.jobTimeoutS),
    check: request.check,
    nocache: request.nocache,
    announceHit: request.announce_hit,
  });
  if (!output.tooMuch.signal.aborted || signal.aborted || outcome.status === 'ok') return outcome;
  const limited = outputLimitError(ctx.limits.maxOutputBytes, 'the cell', 'was stopped');
  return { ...limited, traceback: [...limited.traceback, ...outcome.traceback.slice(1)] };
}

/** A Session with the host's settings: its limits, its compile cache (and runners built there), its scratch. */
function makeSession(ctx: HostContext, toolchain: Toolchain, id: string): Session {
  const { settings } = ctx;
  const log = ctx.log.child({ session: id });
  return new Session({
    nvcc: toolchain.nvcc,
    nvccVersion: toolchain.version,
    env: settings.env,
    reaper: ctx.reaper,
    scratch: ctx.scratch,
    limits: programLimits(settings), // the host's own: a request cannot raise them
    runnerDir: settings.cacheDir,
    cache: openCacheSession({ dir: settings.cacheDir, maxBytes: settings.cacheMaxBytes }, log),
    log,
  });
}

/** Why a cell did not run to its end in its session: the host stopping, or the session ended under it. */
function endedOutcome(ctx: HostContext): RunOutcome {
  if (ctx.stopping()) return errorOutcome('HostShutdown', 'the host was stopped and its grace period ran out before the cell ended');
  return errorOutcome('SessionError', 'the session ended on the host before the cell could finish');
}

/** Logs a refusal and fails the call with it. */
function refuse(
  ctx: HostContext,
  call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  refused: Refusal,
  callback?: grpc.sendUnaryData<never>,
): void {
  ctx.log.warn({ client: call.getPeer(), code: grpc.status[refused.code] }, refused.details);
  if (callback) callback(refused);
  else call.emit('error', refused);
}
