// Where Jupyter looks for kernelspecs, computed the way jupyter_core does, without Python.
import { platform } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../settings/settings.js';

export type SpecLocation = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; prefix: string };

type Dirs = Pick<Settings, 'jupyterDataDir' | 'xdgDataHome' | 'home' | 'virtualEnv' | 'condaPrefix'> & { env: Settings['env'] };

/** The user's Jupyter data directory (JUPYTER_DATA_DIR wins, then the platform default). */
export function userDataDir(s: Dirs): string {
  if (s.jupyterDataDir) return s.jupyterDataDir;
  if (platform() === 'darwin') return join(s.home, 'Library', 'Jupyter');
  if (platform() === 'win32') return join(s.env.APPDATA ?? s.home, 'jupyter');
  return join(s.xdgDataHome || join(s.home, '.local', 'share'), 'jupyter');
}

/** The active Python environment's prefix (virtualenv or conda), as --sys-prefix means it. */
export function sysPrefix(s: Dirs): string {
  const prefix = s.virtualEnv || s.condaPrefix;
  if (!prefix) {
    throw new Error(
      '--sys-prefix needs an active virtualenv or conda environment ' +
        '(VIRTUAL_ENV or CONDA_PREFIX is unset); use --prefix DIR or --user instead',
    );
  }
  return prefix;
}

/** The Jupyter data directory of a location: kernels/ and labextensions/ live below it. */
export function dataDir(location: SpecLocation, s: Dirs): string {
  switch (location.kind) {
    case 'user':
      return userDataDir(s);
    case 'sys-prefix':
      return join(sysPrefix(s), 'share', 'jupyter');
    case 'prefix':
      return join(location.prefix, 'share', 'jupyter');
  }
}

/** The kernels/ directory for a location. */
export function kernelsDir(location: SpecLocation, s: Dirs): string {
  return join(dataDir(location, s), 'kernels');
}
