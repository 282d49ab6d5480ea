// Locations inside the installed icuda package, found once from this module's own path.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from this file to the folder holding icuda's package.json (works from src/ and dist/). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('icuda: cannot find package.json above ' + import.meta.url);
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot();
export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** The kernel's command line (the kernelspec's argv, and `icuda run`'s kernel). No V8 flags: any
 * flag voids Node's code cache for its own modules, ~10 ms of every start (kernel-command.ts
 * tunes the heap after the first reply instead). */
export function kernelCommand(connectionFile: string): string[] {
  return [process.execPath, join(packageRoot, 'bin', 'icuda.js'), 'kernel', '--connection-file', connectionFile];
}
