// Picks the executor from the kernel's environment: ICUDA_EXECUTOR=local|remote|slurm, with
// ICUDA_HOST, ICUDA_TOKEN_FILE, ICUDA_TLS_CA (remote) or ICUDA_SLURM_ARGS, ICUDA_SLURM_SCRATCH (slurm).
import type { Logger } from 'pino';
import type { RunOutcome } from '../engine/outcome.js';
import { errorOutcome } from '../engine/errors.js';
import type { Reaper } from '../engine/run/reaper.js';
import type { CellJob, Executor, RunContext } from './executor.js';
import { createLocalExecutor } from './local.js';
import type { RemoteOptions } from './remote.js';
import { createSlurmExecutor } from './slurm.js';

export interface ChooseOptions<J extends CellJob, C extends RunContext> {
  env: NodeJS.ProcessEnv;
  log: Logger;
  reaper: Reaper;
  /** The interpreter's local path. */
  local: (job: J, ctx: C) => Promise<RunOutcome>;
}

/** The executor the environment asks for; a bad setting becomes an error every cell shows. */
export function chooseExecutor<J extends CellJob, C extends RunContext>(options: ChooseOptions<J, C>): Executor<J, C> {
  try {
    return pick(options);
  } catch (error) {
    const message = (error as Error).message;
    options.log.error({ err: error }, 'no executor');
    return { where: `nowhere (${message})`, needsLocalToolchain: false, execute: async () => errorOutcome('ExecutorError', message) };
  }
}

/** Builds the executor ICUDA_EXECUTOR names; throws on a bad setting. */
function pick<J extends CellJob, C extends RunContext>(options: ChooseOptions<J, C>): Executor<J, C> {
  const { env } = options;
  const kind = env.ICUDA_EXECUTOR || 'local';
  options.log.info({ executor: kind, host: env.ICUDA_HOST }, 'executor chosen');
  switch (kind) {
    case 'local':
      return createLocalExecutor(options.local);
    case 'remote':
      if (!env.ICUDA_HOST) throw new Error('ICUDA_EXECUTOR=remote needs ICUDA_HOST=HOST:PORT');
      return lazyRemote({
        host: env.ICUDA_HOST,
        tokenFile: env.ICUDA_TOKEN_FILE || undefined,
        tlsCa: env.ICUDA_TLS_CA || undefined,
        tlsCert: env.ICUDA_TLS_CERT || undefined,
        tlsKey: env.ICUDA_TLS_KEY || undefined,
        tls: env.ICUDA_TLS || undefined,
      });
    case 'slurm':
      return createSlurmExecutor({
        env,
        reaper: options.reaper,
        srunArgs: env.ICUDA_SLURM_ARGS ?? '',
        scratchRoot: env.ICUDA_SLURM_SCRATCH || undefined,
      });
    default:
      throw new Error(`ICUDA_EXECUTOR=${JSON.stringify(kind)}: expected local, remote or slurm`);
  }
}

/** The remote executor, with gRPC loaded at its first cell rather than at kernel start
 * (grpc-js costs about 0.3 s of startup that a local kernel should not pay). */
function lazyRemote(options: RemoteOptions): Executor {
  let remote: Promise<Executor> | undefined;
  return {
    where: `on ${options.host} (remote GPU host)`,
    needsLocalToolchain: false,
    execute: async (job, ctx) => {
      remote ??= import('./remote.js').then((m) => m.createRemoteExecutor(options));
      return (await remote).execute(job, ctx);
    },
  };
}
