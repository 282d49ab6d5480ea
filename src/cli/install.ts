// `icuda install` / `icuda uninstall`: write or remove the kernelspec, no Python needed.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-info.js';
import type { Settings } from '../settings/settings.js';
import { kernelsDir, type SpecLocation } from './jupyter-paths.js';

export interface InstallOptions {
  location: SpecLocation;
  name: string;
  displayName: string;
  /** Extra environment for the kernel process (executor settings and the like). */
  env?: Record<string, string>;
}

const LOGOS = ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg'];

/** The kernel.json for this installation: absolute node and entry paths, argv kept separate. */
export function kernelJson(options: InstallOptions): Record<string, unknown> {
  return {
    argv: [process.execPath, join(packageRoot, 'bin', 'icuda.js'), 'kernel', '--connection-file', '{connection_file}'],
    display_name: options.displayName,
    language: 'cuda',
    interrupt_mode: 'signal',
    env: options.env ?? {},
    metadata: { debugger: false },
  };
}

/** Writes kernel.json and the logos; returns the kernelspec's directory. */
export async function installKernelspec(options: InstallOptions, settings: Settings): Promise<string> {
  validateName(options.name);
  const dir = join(kernelsDir(options.location, settings), options.name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'kernel.json'), JSON.stringify(kernelJson(options), null, 2) + '\n');
  for (const logo of LOGOS) await copyFile(join(packageRoot, 'kernelspec', logo), join(dir, logo));
  return dir;
}

/** Removes the kernelspec; returns its directory, or undefined when there was none. */
export async function uninstallKernelspec(location: SpecLocation, name: string, settings: Settings): Promise<string | undefined> {
  validateName(name);
  const dir = join(kernelsDir(location, settings), name);
  try {
    await rm(join(dir, 'kernel.json'));
  } catch {
    return undefined;
  }
  await rm(dir, { recursive: true, force: true });
  return dir;
}

/** Kernel names are what jupyter_client accepts: letters, digits, '.', '_' and '-'. */
function validateName(name: string): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new Error(`invalid kernel name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-'`);
  }
}
