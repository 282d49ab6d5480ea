// The GPU host's gRPC service: authorizes each call, checks the request, queues it, runs it as a
// job and streams its events; Info and the standard health service beside it; a graceful stop.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { v4 as uuid } from 'uuid';
import { errorOutcome } from '../engine/errors.js';
import type { RunOutcome } from '../engine/outcome.js';
import { startReaper } from '../engine/run/reaper.js';
import { createScratch } from '../engine/scratch.js';
import { findToolchain, type ToolchainLookup } from '../engine/toolchain/toolchain.js';
import { packageVersion } from '../package-info.js';
import type { Authorizer } from '../remote/auth.js';
import type { Machine } from './info.js';
import { runJob, type JobEvent } from './job.js';
import { computeService, SERVICE_NAME, type ComputeRequest, type ComputeResponse, type InfoReply } from '../remote/proto.js';
import { createJobQueue } from './queue.js';
import { checkRequest, RequestError } from './request.js';
import { toolPlaces, type Settings } from '../settings/settings.js';

export interface HostLimits {
  maxJobs: number;
  jobTimeoutS: number;
  maxOutputBytes: number;
  maxSourceBytes: number;
}

export interface HostOptions {
  limits: HostLimits;
  authorize: Authorizer;
  machine: Machine;
  log: Logger;
  /** The host's own settings: where nvcc is, the scratch dir, the limits programs run under. */
  settings: Settings;
}

export interface Host {
  server: grpc.Server;
  /** Stops accepting; running jobs get `graceMs` to finish, then are killed; files removed. */
  shutdown(graceMs: number): Promise<void>;
}

type ExecuteCall = grpc.ServerWritableStream<ComputeRequest, ComputeResponse>;

/** Builds the server (not yet bound). */
export function createHost(options: HostOptions): Host {
  const { limits, log } = options;
  const reaper = startReaper(log);
  const scratch = createScratch({ tmpRoot: options.settings.tmpdir, onCreate: (dir) => reaper.watchDir(dir) });
  const queue = createJobQueue(limits.maxJobs);
  const jobs = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  let stopping = false;
  let lookup: Promise<ToolchainLookup> | undefined;
  const toolchain = async () => {
    const found = await (lookup ??= findToolchain(toolPlaces(options.settings), options.settings.env));
    if (!found.found) lookup = undefined;
    return found;
  };

  /** One ExecuteCode call from authorization to its EXIT event. */
  const execute = async (call: ExecuteCall, jobId: string, controller: AbortController) => {
    const jobLog = log.child({ job: jobId, client: call.getPeer() });
    const request = call.request;
    const send = (event: JobEvent) => {
      if (!call.cancelled && !call.destroyed) call.write({ output: '', is_error: false, job_id: jobId, ...event });
    };
    const started = Date.now();
    jobLog.info(
      { sourceBytes: Buffer.byteLength(request.source_code), flags: request.compiler_flags.length, files: request.files.length },
      'job received',
    );
    let waited = false;
    const slot = await queue
      .acquire(controller.signal, (position) => {
        waited = true;
        send({
          kind: 'EVENT_KIND_STATUS',
          queue_position: position,
          is_error: true,
          output: `[icuda host] queued: position ${position}\n`,
        });
      })
      .catch(() => undefined);
    if (!slot) {
      jobLog.info({ outcome: 'cancelled while queued' }, 'job ended');
      return;
    }
    const queuedMs = Date.now() - started;
    try {
      const found = await toolchain();
      if (!found.found) throw new Error(`nvcc not found on the host; looked in ${found.looked.join(', ')}`);
      if (waited)
        send({
          kind: 'EVENT_KIND_STATUS',
          is_error: true,
          output: `[icuda host] running after ${(queuedMs / 1000).toFixed(1)} s in the queue\n`,
        });
      const result = await runJob({
        request,
        nvcc: found.toolchain.nvcc,
        scratch,
        reaper,
        settings: options.settings,
        jobTimeoutS: limits.jobTimeoutS,
        maxOutputBytes: limits.maxOutputBytes,
        signal: controller.signal,
        emit: send,
      });
      const outcome =
        stopping && controller.signal.aborted
          ? errorOutcome('HostShutdown', 'the host was stopped and its grace period ran out before the program ended')
          : result.outcome;
      send(exitEvent(outcome));
      jobLog.info(
        {
          outcome: outcome.status === 'ok' ? 'ok' : outcome.ename,
          queuedMs,
          runMs: Date.now() - started - queuedMs,
          outputBytes: result.outputBytes,
        },
        'job ended',
      );
    } finally {
      slot.release();
    }
    if (!call.cancelled) call.end();
  };

  const service: grpc.UntypedServiceImplementation = {
    ExecuteCode(call: ExecuteCall) {
      const refusal = refuse(call.metadata, options.authorize, stopping, call.request, limits.maxSourceBytes);
      if (refusal) {
        log.warn({ client: call.getPeer(), code: grpc.status[refusal.code] }, refusal.details);
        call.emit('error', refusal);
        return;
      }
      const jobId = uuid();
      const controller = new AbortController();
      call.on('cancelled', () => controller.abort());
      const done = execute(call, jobId, controller)
        .catch((error: unknown) => {
          log.error({ job: jobId, err: error }, 'job failed');
          if (!call.cancelled) call.emit('error', { code: grpc.status.INTERNAL, details: String((error as Error).message ?? error) });
        })
        .finally(() => jobs.delete(jobId));
      jobs.set(jobId, { controller, done });
    },
    Info(call: grpc.ServerUnaryCall<unknown, InfoReply>, callback: grpc.sendUnaryData<InfoReply>) {
      if (!options.authorize(call.metadata)) return callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or invalid token' });
      void toolchain().then((found) =>
        callback(null, {
          gpus: options.machine.gpus,
          driver_version: options.machine.driverVersion,
          nvcc_version: found.found ? found.toolchain.version : '',
          running_jobs: queue.running,
          queued_jobs: queue.waiting,
          max_jobs: limits.maxJobs,
          job_timeout_s: limits.jobTimeoutS,
          max_output_bytes: limits.maxOutputBytes,
          max_source_bytes: limits.maxSourceBytes,
          version: packageVersion,
        }),
      );
    },
  };

  const server = new grpc.Server();
  server.addService(computeService().service, service);
  health.addToServer(server);
  return {
    server,
    async shutdown(graceMs) {
      stopping = true;
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const all = () => Promise.all([...jobs.values()].map((job) => job.done));
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([all().then(() => 'done' as const), timer])) === 'late') {
        log.warn({ jobs: jobs.size }, 'grace period over: killing the jobs still running');
        for (const job of jobs.values()) job.controller.abort();
        await all();
      }
      // Their last messages are on their way: give the calls a moment to finish sending them.
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      server.forceShutdown();
      await drained;
      reaper.close();
      await scratch.removeAll();
    },
  };
}

/** Why a call may not run (status and message), or undefined when it may. */
function refuse(
  metadata: grpc.Metadata,
  authorize: Authorizer,
  stopping: boolean,
  request: ComputeRequest,
  maxSourceBytes: number,
): { code: grpc.status; details: string } | undefined {
  if (!authorize(metadata)) return { code: grpc.status.UNAUTHENTICATED, details: 'missing or invalid token' };
  if (stopping) return { code: grpc.status.UNAVAILABLE, details: 'the host is shutting down' };
  try {
    checkRequest(request, maxSourceBytes);
  } catch (error) {
    if (error instanceof RequestError) return { code: grpc.status.INVALID_ARGUMENT, details: error.message };
    throw error;
  }
  return undefined;
}

/** The last event: how the job ended, readable by an original client as output + is_error. */
function exitEvent(outcome: RunOutcome): JobEvent {
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
