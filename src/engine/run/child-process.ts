// node:child_process, loaded at the first spawn rather than with the kernel: the kernel's first
// reply starts no process, and loading the module costs a few milliseconds of its start.
import type * as ChildProcesses from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let loaded: typeof ChildProcesses | undefined;

/** The node:child_process module. */
export function childProcesses(): typeof ChildProcesses {
  return (loaded ??= require('node:child_process') as typeof ChildProcesses);
}
