// The user's failures as values: one small builder per kind of ErrorOutcome a cell can end with.
import type { ErrorOutcome } from './outcome.js';

/** An ErrorOutcome whose traceback defaults to the one line `ename: evalue`. */
export function errorOutcome(ename: string, evalue: string, traceback?: string[]): ErrorOutcome {
  return { status: 'error', ename, evalue, traceback: traceback ?? [`${ename}: ${evalue}`] };
}

/** "1 error", "3 errors". */
export function countErrors(count: number): string {
  return `${count} error${count === 1 ? '' : 's'}`;
}

/** nvcc failed: the evalue counts the errors, the traceback holds nvcc's diagnostics. */
export function compileError(evalue: string, diagnostics: string[]): ErrorOutcome {
  return errorOutcome('CompileError', evalue, diagnostics.length > 0 ? diagnostics : undefined);
}

/** The program ended badly: a non-zero exit or a fatal signal. */
export function runtimeError(evalue: string): ErrorOutcome {
  return errorOutcome('RuntimeError', evalue);
}

/** The program outlived its %timeout (or ICUDA_TIMEOUT) and was killed. */
export function timeoutError(seconds: number, source: string): ErrorOutcome {
  return errorOutcome('TimeoutError', `cell ran longer than its ${seconds} s limit (${source})`);
}

/** The user interrupted the cell (or the kernel is shutting down). */
export function interrupted(): ErrorOutcome {
  return errorOutcome('Interrupted', 'interrupted by the user');
}

/** No nvcc: says where we looked and how to point icuda at one. */
export function toolchainNotFound(looked: string[]): ErrorOutcome {
  const evalue = 'nvcc not found; set NVCC to its path, or CUDA_HOME to the CUDA installation';
  return errorOutcome('ToolchainNotFound', evalue, [`ToolchainNotFound: ${evalue}`, 'looked in:', ...looked.map((place) => `  ${place}`)]);
}

/** A magic line that is unknown or malformed; the message names its line. */
export function magicError(message: string): ErrorOutcome {
  return errorOutcome('MagicError', message);
}
