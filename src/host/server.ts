// The GPU host's gRPC service: whole programs (program-call.ts) and session cells
// (session-calls.ts, sessions.ts) behind the token, Info and the standard health service beside
// them, and a graceful stop that ends every session.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { startReaper } from '../engine/run/reaper.js';
import { createScratch } from '../engine/scratch.js';
import { findToolchain, type ToolchainLookup } from '../engine/toolchain/toolchain.js';
import { packageVersion } from '../package-info.js';
import type { Authorizer } from '../remote/auth.js';
import { computeService, SERVICE_NAME, type InfoReply } from '../remote/proto.js';
import { toolPlaces, type Settings } from '../settings/settings.js';
import type { HostContext, HostLimits } from './calls.js';
import type { Machine } from './info.js';
import { executeCode } from './program-call.js';
import { createJobQueue } from './queue.js';
import { sessionCalls } from './session-calls.js';
import { HostSessions } from './sessions.js';

export type { HostLimits } from './calls.js';

export interface HostOptions {
  limits: HostLimits;
  authorize: Authorizer;
  machine: Machine;
  log: Logger;
  /** The host's own settings: where nvcc is, the scratch dir, the compile cache, the limits programs run under. */
  settings: Settings;
}

export interface Host {
  server: grpc.Server;
  /** Stops accepting; running jobs get `graceMs` to finish, then are killed; every session ends; files removed. */
  shutdown(graceMs: number): Promise<void>;
}

/** Builds the server (not yet bound). */
export function createHost(options: HostOptions): Host {
  const { limits, log, settings } = options;
  const reaper = startReaper(log);
  const health = new HealthImplementation({ '': 'SERVING', [SERVICE_NAME]: 'SERVING' });
  let stopping = false;
  let lookup: Promise<ToolchainLookup> | undefined;
  const ctx: HostContext = {
    limits,
    log,
    settings,
    authorize: options.authorize,
    reaper,
    scratch: createScratch({ tmpRoot: settings.tmpdir, onCreate: (dir) => reaper.watchDir(dir) }),
    queue: createJobQueue(limits.maxJobs),
    sessions: new HostSessions({ max: limits.maxSessions, idleS: limits.sessionIdleS, log }),
    calls: new Map(),
    stopping: () => stopping,
    async toolchain() {
      const found = await (lookup ??= findToolchain(toolPlaces(settings), settings.env));
      if (!found.found) lookup = undefined;
      return found;
    },
  };

  const server = new grpc.Server();
  server.addService(computeService().service, { ExecuteCode: executeCode(ctx), Info: info(ctx, options.machine), ...sessionCalls(ctx) });
  health.addToServer(server);
  return {
    server,
    async shutdown(graceMs) {
      stopping = true;
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      const all = () => Promise.all([...ctx.calls.values()].map((job) => job.done));
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([all().then(() => 'done' as const), timer])) === 'late') {
        log.warn({ jobs: ctx.calls.size }, 'grace period over: killing the jobs still running');
        for (const job of ctx.calls.values()) job.controller.abort();
        await all();
      }
      await ctx.sessions.endAll('the host stopped');
      // Their last messages are on their way: give the calls a moment to finish sending them.
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      server.forceShutdown();
      await drained;
      reaper.close();
      await ctx.scratch.removeAll();
    },
  };
}

/** The Info handler: the machine, nvcc, the queue, the limits (session ones included). */
function info(ctx: HostContext, machine: Machine) {
  return (call: grpc.ServerUnaryCall<unknown, InfoReply>, callback: grpc.sendUnaryData<InfoReply>) => {
    if (!ctx.authorize(call.metadata)) return callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or invalid token' });
    const { limits } = ctx;
    void ctx.toolchain().then((found) =>
      callback(null, {
        gpus: machine.gpus,
        driver_version: machine.driverVersion,
        nvcc_version: found.found ? found.toolchain.version : '',
        running_jobs: ctx.queue.running,
        queued_jobs: ctx.queue.waiting,
        max_jobs: limits.maxJobs,
        job_timeout_s: limits.jobTimeoutS,
        max_output_bytes: limits.maxOutputBytes,
        max_source_bytes: limits.maxSourceBytes,
        version: packageVersion,
        session_idle_s: limits.sessionIdleS,
        max_sessions: limits.maxSessions,
        open_sessions: ctx.sessions.size,
      }),
    );
  };
}
