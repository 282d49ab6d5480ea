// `icuda install` and `icuda uninstall`: options in, a kernelspec written or removed.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { installKernelspec, uninstallKernelspec } from './install.js';
import type { SpecLocation } from './jupyter-paths.js';

const OPTIONS = {
  user: { type: 'boolean' },
  'sys-prefix': { type: 'boolean' },
  prefix: { type: 'string' },
  name: { type: 'string', default: 'icuda' },
  'display-name': { type: 'string', default: 'CUDA' },
  executor: { type: 'string' },
  host: { type: 'string' },
  'tls-ca': { type: 'string' },
  'token-file': { type: 'string' },
  'slurm-args': { type: 'string' },
  'slurm-scratch': { type: 'string' },
} as const;

/** Runs install or uninstall with its arguments; returns the exit code. */
export async function run(command: 'install' | 'uninstall', args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const location = chooseLocation(values);
  if (command === 'install') {
    const dir = await installKernelspec({ location, name: values.name, displayName: values['display-name'], env: executorEnv(values) });
    process.stdout.write(`Installed kernelspec ${values.name} in ${dir}\n`);
    return 0;
  }
  const dir = await uninstallKernelspec(location, values.name);
  process.stdout.write(dir ? `Removed kernelspec ${values.name} from ${dir}\n` : `No kernelspec ${values.name} was installed there\n`);
  return 0;
}

/** --user (the default), --sys-prefix or --prefix DIR; more than one is an error. */
function chooseLocation(values: { user?: boolean; 'sys-prefix'?: boolean; prefix?: string }): SpecLocation {
  const chosen = [values.user, values['sys-prefix'], values.prefix !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new Error('choose one of --user, --sys-prefix and --prefix DIR');
  if (values.prefix !== undefined) return { kind: 'prefix', prefix: values.prefix };
  if (values['sys-prefix']) return { kind: 'sys-prefix' };
  return { kind: 'user' };
}

/** kernel.json's `env` for --executor remote|slurm; options of another executor are an error. */
export function executorEnv(values: {
  executor?: string;
  host?: string;
  'tls-ca'?: string;
  'token-file'?: string;
  'slurm-args'?: string;
  'slurm-scratch'?: string;
}): Record<string, string> {
  const executor = values.executor ?? 'local';
  const remote = { ICUDA_HOST: values.host, ICUDA_TLS_CA: absolute(values['tls-ca']), ICUDA_TOKEN_FILE: absolute(values['token-file']) };
  const slurm = { ICUDA_SLURM_ARGS: values['slurm-args'], ICUDA_SLURM_SCRATCH: absolute(values['slurm-scratch']) };
  const given = (group: Record<string, string | undefined>) => Object.values(group).some((value) => value !== undefined);
  if (executor === 'local') {
    if (given(remote) || given(slurm)) throw new Error('--host, --tls-ca, --token-file and --slurm-* need --executor remote or slurm');
    return {};
  }
  if (executor === 'remote') {
    if (!values.host) throw new Error('--executor remote needs --host HOST:PORT');
    if (given(slurm)) throw new Error('--slurm-args and --slurm-scratch go with --executor slurm');
    return defined({ ICUDA_EXECUTOR: 'remote', ...remote });
  }
  if (executor === 'slurm') {
    if (given(remote)) throw new Error('--host, --tls-ca and --token-file go with --executor remote');
    return defined({ ICUDA_EXECUTOR: 'slurm', ...slurm });
  }
  throw new Error(`--executor ${JSON.stringify(executor)}: expected local, remote or slurm`);
}

/** A path made absolute, since the kernel starts in the notebook's directory. */
function absolute(path: string | undefined): string | undefined {
  return path === undefined ? undefined : resolve(path);
}

function defined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
