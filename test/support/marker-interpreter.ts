// An in-memory Interpreter for protocol tests that reacts to marker lines in a cell:
//   print:TEXT  stdout   warn:TEXT  stderr   sleep:MS   wait (until interrupted)
//   fail:MSG    error outcome   throw:MSG   a bug   result:TEXT   text/plain result
//   input:PROMPT   asks for input and prints the answer   display:ID:TEXT   update:ID:TEXT
//   count   prints the context's execution count   notify:TARGET:TEXT   ctx.notify(TARGET, {text})
// It records the order in which executions start and end (and introspection calls), and the
// contexts it was given.
import type { ExecuteOutcome, ExecutionContext, Interpreter, KernelInfo } from '../../src/protocol/interpreter.js';

export class MarkerInterpreter implements Interpreter {
  readonly events: string[] = [];
  readonly contexts: ExecutionContext[] = [];
  shutdowns: boolean[] = [];

  /** `commTargets`: the comm targets this language accepts (none by default). */
  constructor(readonly commTargets?: readonly string[]) {}

  /** Answers at once. */
  kernelInfo(): KernelInfo {
    return {
      implementation: 'marker',
      implementationVersion: '0.0.1',
      languageInfo: { name: 'marker', version: '1', mimetype: 'text/x-marker', file_extension: '.mk' },
      banner: 'marker interpreter',
    };
  }

  /** Runs each marker line in turn. */
  async execute(code: string, ctx: ExecutionContext): Promise<ExecuteOutcome> {
    this.events.push(`start ${code}`);
    this.contexts.push(ctx);
    try {
      let outcome: ExecuteOutcome = { status: 'ok' };
      for (const line of code.split('\n').filter(Boolean)) {
        const step = await this.#step(line, ctx);
        if (step) outcome = step;
        if (outcome.status === 'error') break;
      }
      return outcome;
    } finally {
      this.events.push(`end ${code}`);
    }
  }

  /** Runs one marker line; returns an outcome when the line decides one. */
  async #step(line: string, ctx: ExecutionContext): Promise<ExecuteOutcome | undefined> {
    const [marker, ...rest] = line.split(':');
    const arg = rest.join(':');
    switch (marker) {
      case 'print':
        ctx.output.stream('stdout', arg);
        return undefined;
      case 'warn':
        ctx.output.stream('stderr', arg);
        return undefined;
      case 'sleep':
        await new Promise((r) => setTimeout(r, Number(arg)));
        return undefined;
      case 'wait':
        return waitForAbort(ctx.signal);
      case 'fail':
        return { status: 'error', ename: 'MarkerError', evalue: arg, traceback: [`MarkerError: ${arg}`] };
      case 'throw':
        throw new Error(arg);
      case 'result':
        return { status: 'ok', result: { 'text/plain': arg } };
      case 'input':
        ctx.output.stream('stdout', await ctx.input(arg));
        return undefined;
      case 'display':
        ctx.output.display({ 'text/plain': rest[1] }, {}, rest[0]);
        return undefined;
      case 'update':
        ctx.output.updateDisplay(rest[0], { 'text/plain': rest[1] });
        return undefined;
      case 'count':
        ctx.output.stream('stdout', String(ctx.executionCount));
        return undefined;
      case 'notify':
        ctx.notify(rest[0], { text: rest.slice(1).join(':') });
        return undefined;
      default:
        return undefined;
    }
  }

  /** Completes the word before the cursor (JS indices). */
  async complete(code: string, cursorPos: number) {
    this.events.push(`complete ${cursorPos}`);
    let start = cursorPos;
    while (start > 0 && /\w/.test(code[start - 1])) start -= 1;
    return { matches: [`${code.slice(start, cursorPos)}_done`], cursorStart: start, cursorEnd: cursorPos };
  }

  /** Reports the character at the cursor. */
  async inspect(code: string, cursorPos: number) {
    this.events.push(`inspect ${cursorPos}`);
    if (code.startsWith('throw')) throw new Error('inspect exploded');
    return { found: true, data: { 'text/plain': `at ${cursorPos}: ${code.slice(cursorPos, cursorPos + 1)}` } };
  }

  /** Incomplete while the cell ends with a backslash. */
  async isComplete(code: string) {
    this.events.push('isComplete');
    return code.endsWith('\\') ? { status: 'incomplete' as const, indent: '  ' } : { status: 'complete' as const };
  }

  /** No history. */
  async history() {
    this.events.push('history');
    return [];
  }

  /** Records the call. */
  async shutdown(restart: boolean): Promise<void> {
    this.shutdowns.push(restart);
  }
}

/** Resolves with a KeyboardInterrupt-like error when the signal aborts. */
function waitForAbort(signal: AbortSignal): Promise<ExecuteOutcome> {
  const interrupted: ExecuteOutcome = { status: 'error', ename: 'Interrupted', evalue: 'interrupted', traceback: [] };
  if (signal.aborted) return Promise.resolve(interrupted);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(interrupted), { once: true }));
}
