// Where Jupyter looks for kernelspecs, computed the way jupyter_core does, without Python.
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export type SpecLocation = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; prefix: string };

/** The user's Jupyter data directory (JUPYTER_DATA_DIR wins, then the platform default). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (platform() === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  if (platform() === 'win32') return join(env.APPDATA ?? homedir(), 'jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

/** The active Python environment's prefix (virtualenv or conda), as --sys-prefix means it. */
export function sysPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env.VIRTUAL_ENV || env.CONDA_PREFIX;
  if (!prefix) {
    throw new Error(
      '--sys-prefix needs an active virtualenv or conda environment ' +
        '(VIRTUAL_ENV or CONDA_PREFIX is unset); use --prefix DIR or --user instead',
    );
  }
  return prefix;
}

/** The kernels/ directory for a location. */
export function kernelsDir(location: SpecLocation, env: NodeJS.ProcessEnv = process.env): string {
  switch (location.kind) {
    case 'user':
      return join(userDataDir(env), 'kernels');
    case 'sys-prefix':
      return join(sysPrefix(env), 'share', 'jupyter', 'kernels');
    case 'prefix':
      return join(location.prefix, 'share', 'jupyter', 'kernels');
  }
}
