// The JupyterLab extension next to the kernelspec: `icuda install` copies the prebuilt extension
// (share/jupyter/labextensions/icuda-jupyterlab in the package, built by
// scripts/build-labextension.sh) into <data dir>/labextensions/, where JupyterLab 4 and
// Notebook 7 load it without Python or a rebuild; `icuda uninstall` removes it once no icuda
// kernelspec is left in that location.
import { cp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-info.js';
import type { Settings } from '../settings/settings.js';
import { dataDir, kernelsDir, type SpecLocation } from './jupyter-paths.js';

export const LABEXTENSION_NAME = 'icuda-jupyterlab';

/** Where the package keeps the prebuilt extension. */
export const prebuiltLabextension = join(packageRoot, 'share', 'jupyter', 'labextensions', LABEXTENSION_NAME);

/** The labextensions/ directory beside a location's kernels/ directory. */
export function labextensionsDir(location: SpecLocation, settings: Settings): string {
  return join(dataDir(location, settings), 'labextensions');
}

export type LabextensionInstall = { installed: string } | { missing: string };

/** Replaces the installed extension with the prebuilt one; says why not when it was never built. */
export async function installLabextension(
  location: SpecLocation,
  settings: Settings,
  source = prebuiltLabextension,
): Promise<LabextensionInstall> {
  if (!(await isFile(join(source, 'package.json')))) {
    return {
      missing: `the JupyterLab extension is not built (${source} is missing): run \`npm run build:labextension\`, then install again`,
    };
  }
  const target = join(labextensionsDir(location, settings), LABEXTENSION_NAME);
  await rm(target, { recursive: true, force: true }); // no stale chunks of an older build
  await cp(source, target, { recursive: true });
  return { installed: target };
}

/** Removes the extension unless another icuda kernelspec still uses it; answers what was done. */
export async function uninstallLabextension(location: SpecLocation, settings: Settings): Promise<{ removed?: string; kept?: string }> {
  const target = join(labextensionsDir(location, settings), LABEXTENSION_NAME);
  if (!(await isFile(join(target, 'package.json')))) return {};
  const others = await icudaKernelspecs(kernelsDir(location, settings));
  if (others.length > 0) return { kept: `${target} (still used by kernelspec ${others.join(', ')})` };
  await rm(target, { recursive: true, force: true });
  return { removed: target };
}

/** Names of the kernelspecs in a kernels/ directory that start icuda's kernel. */
async function icudaKernelspecs(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    const spec = await readFile(join(dir, name, 'kernel.json'), 'utf8')
      .then((text) => JSON.parse(text) as { argv?: unknown } | null)
      .catch(() => undefined);
    const argv = Array.isArray(spec?.argv) ? (spec.argv as unknown[]) : [];
    if (argv.some((arg) => typeof arg === 'string' && /icuda\.js$/.test(arg)) && argv.includes('kernel')) found.push(name);
  }
  return found;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
