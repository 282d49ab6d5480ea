// `icuda install` / `icuda uninstall`: write or remove the kernelspec, no Python needed.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kernelCommand, packageRoot } from '../package-info.js';
import type { Settings } from '../settings/settings.js';
import { kernelsDir, type SpecLocation } from './jupyter-paths.js';
import { LABEXTENSION_NAME, installLabextension, uninstallLabextension } from './labextension.js';

export interface InstallOptions {
  location: SpecLocation;
  name: string;
  displayName: string;
  /** Extra environment for the kernel process (executor settings and the like). */
  env?: Record<string, string>;
  /** Where lines about the JupyterLab extension go (default: stdout). */
  say?: (line: string) => void;
}

const toStdout = (line: string) => void process.stdout.write(line + '\n');

const LOGOS = ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg'];

/** The kernel.json for this installation: absolute node and entry paths, argv kept separate. */
export function kernelJson(options: InstallOptions): Record<string, unknown> {
  return {
    argv: kernelCommand('{connection_file}'),
    display_name: options.displayName,
    language: 'cuda',
    interrupt_mode: 'signal',
    env: options.env ?? {},
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos, and the JupyterLab extension beside them when it is built;
 * returns the kernelspec's directory. */
export async function installKernelspec(options: InstallOptions, settings: Settings): Promise<string> {
  validateName(options.name);
  const dir = join(kernelsDir(options.location, settings), options.name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'kernel.json'), JSON.stringify(kernelJson(options), null, 2) + '\n');
  for (const logo of LOGOS) await copyFile(join(packageRoot, 'kernelspec', logo), join(dir, logo));
  const lab = await installLabextension(options.location, settings);
  const say = options.say ?? toStdout;
  say('installed' in lab ? `Installed JupyterLab extension ${LABEXTENSION_NAME} in ${lab.installed}` : `Kernelspec only: ${lab.missing}`);
  return dir;
}

/** Removes the kernelspec, and the JupyterLab extension when no icuda kernelspec is left there;
 * returns the kernelspec's directory, or undefined when there was none. */
export async function uninstallKernelspec(
  location: SpecLocation,
  name: string,
  settings: Settings,
  say = toStdout,
): Promise<string | undefined> {
  validateName(name);
  const dir = join(kernelsDir(location, settings), name);
  const removed = await rm(join(dir, 'kernel.json')).then(
    () => true,
    () => false,
  );
  if (removed) await rm(dir, { recursive: true, force: true });
  const lab = await uninstallLabextension(location, settings);
  if (lab.removed) say(`Removed JupyterLab extension ${LABEXTENSION_NAME} from ${lab.removed}`);
  if (lab.kept) say(`Kept JupyterLab extension ${LABEXTENSION_NAME} in ${lab.kept}`);
  return removed ? dir : undefined;
}

/** Kernel names are what jupyter_client accepts: letters, digits, '.', '_' and '-'. */
function validateName(name: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new Error(`invalid kernel name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-'`);
  }
}
