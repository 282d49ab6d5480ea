// `icuda install` and `icuda uninstall`: options in, a kernelspec written or removed.
import { parseArgs } from 'node:util';
import { installKernelspec, uninstallKernelspec } from './install.js';
import type { SpecLocation } from './jupyter-paths.js';

const OPTIONS = {
  user: { type: 'boolean' },
  'sys-prefix': { type: 'boolean' },
  prefix: { type: 'string' },
  name: { type: 'string', default: 'icuda' },
  'display-name': { type: 'string', default: 'CUDA' },
} as const;

/** Runs install or uninstall with its arguments; returns the exit code. */
export async function run(command: 'install' | 'uninstall', args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const location = chooseLocation(values);
  if (command === 'install') {
    const dir = await installKernelspec({ location, name: values.name, displayName: values['display-name'] });
    process.stdout.write(`Installed kernelspec ${values.name} in ${dir}\n`);
    return 0;
  }
  const dir = await uninstallKernelspec(location, values.name);
  process.stdout.write(dir ? `Removed kernelspec ${values.name} from ${dir}\n`
    : `No kernelspec ${values.name} was installed there\n`);
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
