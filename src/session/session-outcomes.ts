// How a session cell's failures read: the lost-state notice, a refused use of an earlier cell's
// device variable, a failed load, an uncaught exception, a lost CUDA context.
import { execa } from 'execa';
import type { Definition } from './cell-model.js';
import { errorOutcome, interrupted, runtimeError, timeoutError } from '../engine/errors.js';
import type { ErrorOutcome } from '../engine/outcome.js';
import type { GroupEnd } from '../engine/run/process-group.js';
import { describeSignal, type TimeLimit } from '../engine/run/runner.js';
import type { CudaErrorReport } from '../engine/run/cuda-notices.js';

/** What %replay says when no session cell has completed. */
export const NOTHING_TO_REPLAY = 'icuda: %replay: no session cell has completed since the session began; nothing to run again\n';

/** "cells [1], [2] and [4]". */
export function cellList(cells: number[]): string {
  const names = cells.map((cell) => `[${cell}]`);
  if (names.length <= 1) return `cell ${names.join('')}`;
  return `cells ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** The line that says what a restart cost. */
export function lostStateLine(cells: number[]): string {
  return cells.length === 0
    ? 'The session was restarted (it held no definitions yet).'
    : `The session was restarted: what ${cellList(cells)} defined is lost (%replay runs them again).`;
}

/** The same error with the lost-state notice added to its traceback. */
export function withLostState(outcome: ErrorOutcome, cells: number[]): ErrorOutcome {
  return { ...outcome, traceback: [...outcome.traceback, lostStateLine(cells)] };
}

/** Why the runner ended under a cell, as the cell's error. */
export function endedOutcome(end: GroupEnd, stopping: 'abort' | 'timeout' | undefined, limit?: TimeLimit): ErrorOutcome {
  if (stopping === 'abort') return interrupted();
  if (stopping === 'timeout') return timeoutError(limit?.seconds ?? 0, limit?.source ?? 'time limit');
  if (end.cause === 'exit' && end.signal) return runtimeError(describeSignal(end.signal));
  if (end.cause === 'exit') return runtimeError(`the cell ended the session runner (exit code ${end.exitCode ?? '?'})`);
  return runtimeError('the session runner could not be started');
}

/** A later cell used an earlier cell's __device__/__constant__ variable: refused before nvcc. */
export function deviceVariableError(def: Definition, cell: number): ErrorOutcome {
  const space = /__constant__/.test(def.signature) ? '__constant__' : /__managed__/.test(def.signature) ? '__managed__' : '__device__';
  const evalue = `${def.name} is a ${space} variable of cell [${cell}]; a later cell cannot use it`;
  return errorOutcome('SessionError', evalue, [
    `SessionError: ${evalue}`,
    `Each session cell's device code is a module of its own: ${def.name} is seen only by cell [${cell}]'s kernels.`,
    `Fix: keep the data in memory from cudaMalloc with its pointer in a host variable (e.g. \`float *${def.name}_ptr;\` then`,
    `\`cudaMalloc(&${def.name}_ptr, bytes);\` in a cell) and pass the pointer to your kernels; or define ${def.name} again in this cell.`,
  ]);
}

/** The object could not be loaded (an undefined symbol, most often); names demangled, the object's scratch path left out. */
export async function loadError(message: string): Promise<ErrorOutcome> {
  const readable = await demangle(message.replace(/^\/.*?\/prog: /, ''));
  const hint = /undefined symbol/.test(readable) ? ' (declared, or used, but never defined in a cell that ran)' : '';
  return errorOutcome('LinkError', `the cell could not be loaded: ${readable}${hint}`);
}

/** An uncaught C++ exception ended the cell's statements (the session lives on). */
export function exceptionError(message: string): ErrorOutcome {
  return runtimeError(`uncaught exception: ${message}`);
}

/** A CUDA error a %bench repetition left pending: the bench ends with it. */
export function cudaFailure(report: CudaErrorReport): ErrorOutcome {
  return errorOutcome('CudaError', `${report.message} (${report.name})`);
}

/** A sticky CUDA error: the context is unusable until the process starts again. */
export function contextLost(report: CudaErrorReport | undefined, cells: number[]): ErrorOutcome {
  const what = report ? `${report.message} (${report.name})` : 'a sticky CUDA error';
  return withLostState(errorOutcome('CudaContextLost', `the CUDA context is lost: ${what}`), cells);
}

/** C++ names in `text` made readable by c++filt, our namespaces left out; the text as is without it. */
async function demangle(text: string): Promise<string> {
  const result = await execa('c++filt', { input: text, reject: false, timeout: 5000 }).catch(() => undefined);
  const readable = result?.exitCode === 0 && result.stdout ? String(result.stdout) : text;
  return readable.replace(/\bicuda_u\d+::/g, '').trim();
}
