// nvcc: the command line for a cell, and its diagnostics mapped to what the user sees.
// cell.cu starts with `#line 1 "cell[N]"`, so nvcc names the cell and its own line numbers.
import { join } from 'node:path';
import { execa } from 'execa';
import type { ErrorOutcome } from '../outcome.js';
import { packageRoot } from '../../package-info.js';
import { compileError, countErrors, interrupted } from '../errors.js';
import { superviseGroup } from '../run/process-group.js';
import type { Reaper } from '../run/reaper.js';
import { HOOK_FLAGS } from './program-hooks.js';

export const PRELUDE = join(packageRoot, 'include', 'icuda_prelude.h');
const ARCH_FLAGS = ['-arch', '--gpu-architecture', '-gencode', '--generate-code', '-code', '--gpu-code'];
const NATIVE_WARNING = /^nvcc warning : Cannot find valid GPU for '-arch=native'/;

export interface CompileOptions {
  nvcc: string;
  /** The run directory holding cell.cu; prog is written there. */
  dir: string;
  /** Session flags, then the cell's own. */
  flags: string[];
  executionCount: number;
  /** nvcc's environment. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  reaper: Reaper;
  /** nvcc is killed after this many seconds (ICUDA_COMPILE_TIMEOUT); 0 or absent: never. */
  timeoutS?: number;
  /** The target when the user chose none: the GPU's own ("sm_90") when known, else native. */
  arch?: string;
  /** Other outputs, inputs and flags (assembly.ts, %sources, the workspace's -I). */
  extra?: NvccExtra;
  /** Writes what nvcc reads (the run dir and cell.cu) when it has not been written yet: called
   * before nvcc starts, never for a cache hit, which needs neither. */
  prepare?: () => Promise<void>;
}

/** What a compile adds to the plain cell -> prog: another output, more inputs, more flags. */
export interface NvccExtra {
  /** Replaces `-o prog` (e.g. `-cubin -o cell.cubin`). */
  output?: string[];
  inputs?: string[];
  flags?: string[];
}

export type CompileResult = { status: 'ok'; binary: string; warnings: string } | ErrorOutcome;

/** The source file nvcc sees: a #line directive so diagnostics name `cell[N]` and the cell's lines. */
export function cellFile(source: string, executionCount: number): string {
  return `#line 1 "cell[${executionCount}]"\n${source}`;
}

/** nvcc's arguments: output, input, prelude, -arch=native (or `arch`) unless the user chose an architecture. */
export function nvccArgs(flags: string[], arch = '', extra: NvccExtra = {}): string[] {
  const chosen = flags.some((flag) => ARCH_FLAGS.some((a) => flag === a || flag.startsWith(a + '=')));
  return [
    ...(extra.output ?? ['-o', 'prog']),
    'cell.cu',
    ...(extra.inputs ?? []),
    '-include',
    PRELUDE,
    ...HOOK_FLAGS,
    ...(chosen ? [] : [`-arch=${arch || 'native'}`]),
    ...(extra.flags ?? []),
    ...flags,
  ];
}

/** Compiles cell.cu in `dir`; nvcc and its helpers die with the request on abort. */
export async function compileCell(options: CompileOptions): Promise<CompileResult> {
  await options.prepare?.();
  const child = execa(options.nvcc, nvccArgs(options.flags, options.arch, options.extra), {
    cwd: options.dir,
    // nvcc's own temp files go in the run dir: removed with it, even when nvcc is killed midway.
    env: { ...options.env, TMPDIR: options.dir },
    extendEnv: false,
    detached: true,
    all: true,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
  });
  const limitS = options.timeoutS ?? 0;
  const end = await superviseGroup(child, {
    signal: options.signal,
    reaper: options.reaper,
    timeoutMs: limitS ? limitS * 1000 : undefined,
  });
  const result = await child;
  if (end.cause === 'abort') return interrupted();
  if (end.cause === 'timeout') return compileError(`nvcc ran longer than ${limitS} s and was killed (ICUDA_COMPILE_TIMEOUT)`, []);
  const text = cleanDiagnostics(String(result.all ?? ''), options.executionCount);
  if (end.cause === 'exit' && end.exitCode === 0) return { status: 'ok', binary: join(options.dir, 'prog'), warnings: text };
  const count = countCompileErrors(text);
  const evalue = count > 0 ? countErrors(count) : `nvcc failed: ${result.shortMessage ?? result.message}`;
  return compileError(evalue, text === '' ? [] : text.split('\n'));
}

/** nvcc's output without the no-GPU warning about -arch=native, naming the cell, no trailing blank lines. */
export function cleanDiagnostics(text: string, executionCount: number): string {
  return text
    .split('\n')
    .filter((line) => !NATIVE_WARNING.test(line))
    .join('\n')
    .replaceAll('"cell.cu"', `cell[${executionCount}]`)
    .trimEnd();
}

/** Errors reported: nvcc's "N errors detected" lines when present, else lines that say error. */
export function countCompileErrors(text: string): number {
  const totals = [...text.matchAll(/^(\d+) errors? detected in the compilation/gm)];
  if (totals.length > 0) return totals.reduce((sum, match) => sum + Number(match[1]), 0);
  return text.split('\n').filter((line) => /(^|: )(fatal )?error\b/i.test(line)).length;
}
