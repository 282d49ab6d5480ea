// `icuda install` and `icuda uninstall`: options in, a kernelspec written or removed.
import { resolve } from 'node:path';
import type { Settings } from '../settings/settings.js';
import { installKernelspec, uninstallKernelspec } from './install.js';
import type { SpecLocation } from './jupyter-paths.js';
import type { InstallOptions, LocationOptions } from './options.js';

/** Writes the kernelspec; returns the exit code. */
export async function install(options: InstallOptions, settings: Settings): Promise<number> {
  const location = chooseLocation(options);
  const dir = await installKernelspec(
    { location, name: options.name, displayName: options.displayName, env: executorEnv(options) },
    settings,
  );
  process.stdout.write(`Installed kernelspec ${options.name} in ${dir}\n`);
  return 0;
}

/** Removes the kernelspec; returns the exit code. */
export async function uninstall(options: LocationOptions, settings: Settings): Promise<number> {
  const dir = await uninstallKernelspec(chooseLocation(options), options.name, settings);
  process.stdout.write(dir ? `Removed kernelspec ${options.name} from ${dir}\n` : `No kernelspec ${options.name} was installed there\n`);
  return 0;
}

/** --user (the default), --sys-prefix or --prefix DIR; more than one is an error. */
function chooseLocation(options: LocationOptions): SpecLocation {
  const chosen = [options.user, options.sysPrefix, options.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new Error('choose one of --user, --sys-prefix and --prefix DIR');
  if (options.prefix !== undefined) return { kind: 'prefix', prefix: options.prefix };
  if (options.sysPrefix) return { kind: 'sys-prefix' };
  return { kind: 'user' };
}

type ExecutorOptions = Pick<InstallOptions, 'executor' | 'host' | 'tlsCa' | 'tokenFile' | 'slurmArgs' | 'slurmScratch'>;

/** kernel.json's `env` for --executor remote|slurm; options of another executor are an error. */
export function executorEnv(options: ExecutorOptions): Record<string, string> {
  const remote = { ICUDA_HOST: options.host, ICUDA_TLS_CA: absolute(options.tlsCa), ICUDA_TOKEN_FILE: absolute(options.tokenFile) };
  const slurm = { ICUDA_SLURM_ARGS: options.slurmArgs, ICUDA_SLURM_SCRATCH: absolute(options.slurmScratch) };
  const given = (group: Record<string, string | undefined>) => Object.values(group).some((value) => value !== undefined);
  switch (options.executor) {
    case 'local':
      if (given(remote) || given(slurm)) throw new Error('--host, --tls-ca, --token-file and --slurm-* need --executor remote or slurm');
      return {};
    case 'remote':
      if (!options.host) throw new Error('--executor remote needs --host HOST:PORT');
      if (given(slurm)) throw new Error('--slurm-args and --slurm-scratch go with --executor slurm');
      return defined({ ICUDA_EXECUTOR: 'remote', ...remote });
    case 'slurm':
      if (given(remote)) throw new Error('--host, --tls-ca and --token-file go with --executor remote');
      return defined({ ICUDA_EXECUTOR: 'slurm', ...slurm });
  }
}

/** A path made absolute, since the kernel starts in the notebook's directory. */
function absolute(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

/** The entries whose value is set. */
function defined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
