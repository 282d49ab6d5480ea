// ExecuteCode: a whole program from its request to its EXIT event: checked, queued for a job
// slot, compiled and run as a job, its events streamed as they happen.
import * as grpc from '@grpc/grpc-js';
import { errorOutcome } from '../engine/errors.js';
import type { ComputeRequest, ComputeResponse } from '../remote/proto.js';
import { exitEvent, refusal, sender, takeSlot, trackCall, type HostContext } from './calls.js';
import { runJob } from './job.js';
import { checkRequest } from './request.js';

type ExecuteCall = grpc.ServerWritableStream<ComputeRequest, ComputeResponse>;

/** The ExecuteCode handler. */
export function executeCode(ctx: HostContext): (call: ExecuteCall) => void {
  return (call) => {
    const refused = refusal(ctx, call.metadata, () => checkRequest(call.request, ctx.limits.maxSourceBytes));
    if (refused) {
      ctx.log.warn({ client: call.getPeer(), code: grpc.status[refused.code] }, refused.details);
      call.emit('error', refused);
      return;
    }
    trackCall(ctx, call, (jobId, controller) => execute(ctx, call, jobId, controller));
  };
}

/** One ExecuteCode call from the queue to its EXIT event. */
async function execute(ctx: HostContext, call: ExecuteCall, jobId: string, controller: AbortController): Promise<void> {
  const jobLog = ctx.log.child({ job: jobId, client: call.getPeer() });
  const request = call.request;
  const send = sender(call, jobId);
  const started = Date.now();
  jobLog.info(
    { sourceBytes: Buffer.byteLength(request.source_code), flags: request.compiler_flags.length, files: request.files.length },
    'job received',
  );
  const slot = await takeSlot(ctx, controller.signal, send);
  if (!slot) {
    jobLog.info({ outcome: 'cancelled while queued' }, 'job ended');
    return;
  }
  const queuedMs = Date.now() - started;
  try {
    const found = await ctx.toolchain();
    if (!found.found) throw new Error(`nvcc not found on the host; looked in ${found.looked.join(', ')}`);
    const result = await runJob({
      request,
      nvcc: found.toolchain.nvcc,
      scratch: ctx.scratch,
      reaper: ctx.reaper,
      settings: ctx.settings,
      jobTimeoutS: ctx.limits.jobTimeoutS,
      maxOutputBytes: ctx.limits.maxOutputBytes,
      signal: controller.signal,
      emit: send,
    });
    const outcome =
      ctx.stopping() && controller.signal.aborted
        ? errorOutcome('HostShutdown', 'the host was stopped and its grace period ran out before the program ended')
        : result.outcome;
    send(exitEvent(outcome));
    const runMs = Date.now() - started - queuedMs;
    jobLog.info({ outcome: outcome.status === 'ok' ? 'ok' : outcome.ename, queuedMs, runMs, outputBytes: result.outputBytes }, 'job ended');
  } finally {
    slot.release();
  }
  if (!call.cancelled) call.end();
}
