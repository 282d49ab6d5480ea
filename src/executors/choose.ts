// Picks the executor from the settings: ICUDA_EXECUTOR=local|remote|slurm, with ICUDA_HOST,
// ICUDA_TOKEN_FILE, ICUDA_TLS* (remote) or ICUDA_SLURM_ARGS, ICUDA_SLURM_SCRATCH (slurm).
import type { Logger } from 'pino';
import { errorOutcome } from '../engine/errors.js';
import type { RunOutcome } from '../engine/outcome.js';
import type { Reaper } from '../engine/run/reaper.js';
import { programLimits, toolPlaces, type Settings } from '../settings/settings.js';
import type { CellJob, Executor, RunContext, SessionRunner } from './executor.js';
import { createLocalExecutor } from './local.js';
import type { RemoteOptions } from './remote.js';
import { createSlurmExecutor } from './slurm.js';
import { executorSettingError, slurmArgs } from './where.js';

export interface ChooseOptions<J extends CellJob, C extends RunContext> {
  settings: Settings;
  log: Logger;
  reaper: Reaper;
  /** The kernel's local path. */
  local: (job: J, ctx: C) => Promise<RunOutcome>;
  /** The kernel's session cells on this machine. */
  localSessions: SessionRunner | string;
}

/** The executor the settings ask for; a bad setting becomes an error every cell shows. */
export function chooseExecutor<J extends CellJob, C extends RunContext>(options: ChooseOptions<J, C>): Executor<J, C> {
  try {
    return pick(options);
  } catch (error) {
    const message = (error as Error).message;
    options.log.error({ err: error }, 'no executor');
    const execute = async () => errorOutcome('ExecutorError', message);
    return { where: `nowhere (${message})`, needsLocalToolchain: false, execute, sessions: message };
  }
}

/** Builds the executor ICUDA_EXECUTOR names; throws on a bad setting. */
function pick<J extends CellJob, C extends RunContext>(options: ChooseOptions<J, C>): Executor<J, C> {
  const { settings: s } = options;
  const bad = executorSettingError(s);
  if (bad) throw new Error(bad);
  options.log.info({ executor: s.executor, host: s.host }, 'executor chosen');
  switch (s.executor) {
    case 'local':
      return createLocalExecutor(options.local, options.localSessions);
    case 'remote':
      return lazyRemote({
        host: s.host!, // executorSettingError checked it
        tokenFile: s.tokenFile,
        tlsCa: s.tlsCa,
        tlsCert: s.tlsCert,
        tlsKey: s.tlsKey,
        tls: s.tls,
        log: options.log.child({ component: 'remote' }),
      });
    case 'slurm':
      return createSlurmExecutor({
        env: s.env, // passed on to srun and the program
        places: toolPlaces(s),
        limits: programLimits(s),
        reaper: options.reaper,
        srunArgs: slurmArgs(s.slurmArgs),
        scratchRoot: s.slurmScratch ?? s.tmpdir,
      });
  }
}

/** The remote executor, with gRPC loaded at its first cell rather than at kernel start
 * (grpc-js costs about 0.3 s of startup that a local kernel should not pay). */
function lazyRemote(options: RemoteOptions): Executor {
  let remote: Promise<Executor & { sessions: SessionRunner }> | undefined;
  const load = () => (remote ??= import('./remote.js').then((m) => m.createRemoteExecutor(options)));
  return {
    where: `on ${options.host} (remote GPU host)`,
    needsLocalToolchain: false,
    sessions: lazySessions(
      async () => (await load()).sessions,
      () => remote !== undefined,
    ),
    execute: async (job, ctx) => (await load()).execute(job, ctx),
  };
}

/** Session cells on the GPU host, loading gRPC at the first cell: before any, there is nothing to replay, reset, describe or end. */
function lazySessions(runner: () => Promise<SessionRunner>, loaded: () => boolean): SessionRunner {
  return {
    runCell: async (source, options) => (await runner()).runCell(source, options),
    replay: async (options) => (loaded() ? (await runner()).replay(options) : { status: 'ok' }),
    reset: async () => (loaded() ? (await runner()).reset() : undefined),
    describe: async () => (loaded() ? (await runner()).describe() : []),
    close: async () => (loaded() ? (await runner()).close() : undefined),
  };
}
