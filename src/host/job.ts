// One job on the host: a fresh absolute directory, the request's files, nvcc (the kernel's own
// compiler module and prelude), the program run by the kernel's runner, then cleanup. Events go
// out through `emit` as they happen.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOutcome } from '../engine/outcome.js';
import { cellFile, compileCell } from '../engine/compile/compiler.js';
import { interrupted } from '../engine/errors.js';
import type { Reaper } from '../engine/run/reaper.js';
import { runProgram, type TimeLimit } from '../engine/run/runner.js';
import type { Scratch } from '../engine/scratch.js';
import type { ComputeRequest } from '../remote/proto.js';
import type { JobEvent } from './calls.js';
import { limitedSink, outputLimitError } from './job-output.js';
import { safeFileName } from './request.js';
import { programLimits, type Settings } from '../settings/settings.js';

export interface JobOptions {
  request: ComputeRequest;
  nvcc: string;
  scratch: Scratch;
  reaper: Reaper;
  /** The host's settings: nvcc and the program inherit its environment (the request's env on top) and run under its limits. */
  settings: Settings;
  /** The host's wall-time limit of a run, in seconds (0: none). */
  jobTimeoutS: number;
  maxOutputBytes: number;
  signal: AbortSignal;
  emit: (event: JobEvent) => void;
}

export interface JobResult {
  outcome: RunOutcome;
  outputBytes: number;
  dir: string;
}

/** Runs the job to its end; its directory is gone on return. */
export async function runJob(options: JobOptions): Promise<JobResult> {
  const { request } = options;
  const dir = await options.scratch.createRun();
  const output = limitedSink(options.maxOutputBytes, options.emit);
  const signal = AbortSignal.any([options.signal, output.tooMuch.signal]);
  try {
    for (const file of request.files) await writeFile(join(dir, file.name), file.content);
    await writeFile(join(dir, 'cell.cu'), sourceFile(request));
    const compiled = await compileCell({
      nvcc: options.nvcc,
      dir,
      flags: request.compiler_flags,
      executionCount: request.execution_count,
      env: { ...options.settings.env, ...request.env },
      signal,
      reaper: options.reaper,
      timeoutS: options.settings.compileTimeoutS,
    });
    if (compiled.status === 'error') {
      if (compiled.ename === 'CompileError')
        options.emit({ kind: 'EVENT_KIND_COMPILE_DIAGNOSTIC', output: compiled.traceback.join('\n') + '\n', is_error: true });
      return { outcome: compiled, outputBytes: output.bytes(), dir };
    }
    if (compiled.warnings) options.emit({ kind: 'EVENT_KIND_COMPILE_DIAGNOSTIC', output: compiled.warnings + '\n', is_error: false });
    if (signal.aborted) return { outcome: interrupted(), outputBytes: 0, dir };
    const outcome = await runProgram({
      binary: compiled.binary,
      args: request.program_args,
      env: { ...options.settings.env, ...request.env },
      cwd: dir,
      limits: programLimits(options.settings), // the host's own: a request cannot raise them
      limit: timeLimit(request.timeout_s, options.jobTimeoutS),
      signal,
      output,
      reaper: options.reaper,
      input: stdinLines(request.stdin_data),
    });
    const limited = output.tooMuch.signal.aborted && !options.signal.aborted;
    return { outcome: limited ? outputLimitError(options.maxOutputBytes) : outcome, outputBytes: output.bytes(), dir };
  } finally {
    await options.scratch.removeRun(dir);
  }
}

/** The file nvcc compiles: named `cell[N]` in diagnostics, or by the client's file name. */
function sourceFile(request: ComputeRequest): string {
  if (request.execution_count > 0) return cellFile(request.source_code, request.execution_count);
  return `#line 1 "${safeFileName(request.file_name)}"\n${request.source_code}`;
}

/** The request's limit when it asks for one within the host's, else the host's; none when neither. */
export function timeLimit(requestedS: number, hostS: number): TimeLimit | undefined {
  if (requestedS > 0 && (hostS <= 0 || requestedS <= hostS)) return { seconds: requestedS, source: `%timeout ${requestedS}` };
  if (hostS > 0) return { seconds: hostS, source: `the host's --job-timeout ${hostS}` };
  return undefined;
}

/** The request's stdin data, handed to the program a line at a time when it reads; then end-of-file. */
export function stdinLines(data: Buffer): ((prompt: string) => Promise<string>) | undefined {
  if (data.length === 0) return undefined;
  const lines = data.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return async () => {
    if (lines.length === 0) throw new Error('end of the stdin data');
    return lines.shift()!;
  };
}
