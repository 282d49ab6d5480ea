// Runs one unit in the runner under interrupt and time limit, and judges how it went: an
// interrupt first asks the runner to stop the cell (SIGINT) and, when it cannot within half a
// second, kills it; a runner that ended, or a lost CUDA context, costs the session its state.
import { interrupted, timeoutError } from '../engine/errors.js';
import type { RunOutcome } from '../engine/outcome.js';
import { cudaNotice, type CudaErrorReport } from '../engine/run/cuda-notices.js';
import type { CellSyntax } from './cell-model.js';
import type { UnitPlan } from './generate.js';
import type { RunnerCommand, RunnerProcess, RunResult } from './runner-process.js';
import type { RunnerReply } from './runner-reply.js';
import { contextLost, cudaFailure, endedOutcome, exceptionError, loadError, withLostState } from './session-outcomes.js';
import type { CellOptions, CellRunHost } from './session-types.js';

/** How long a stopped cell may take to come back before the runner is killed. */
export const GRACE_MS = 500;
/** Errors that only say there is no usable GPU: shown for cells that use CUDA. */
const UNAVAILABLE = new Set(['cudaErrorInsufficientDriver', 'cudaErrorNoDevice', 'cudaErrorStubLibrary', 'cudaErrorInitializationError']);

export interface UnitRun {
  plan: UnitPlan;
  /** The object to load, or undefined when it is loaded already. */
  object: string | undefined;
  syntax: CellSyntax;
  cell: CellOptions;
  /** When the cell's time limit runs out (ms since the epoch). */
  deadline: number | undefined;
  /** The command to send instead of a plain run (a %bench batch). */
  command?: RunnerCommand;
  /** Hears the runner's reply before it is judged. */
  onReply?: (reply: RunnerReply) => void;
  /** The "no GPU" notices this cell showed already (a cell of several parts shows one). */
  noticed?: Set<string>;
  /** A %bench command: a CUDA error left pending fails it, and no notice is shown (the bench says
   * itself why it has no GPU times). */
  benching?: boolean;
}

/** Runs the unit and turns its end into the cell's outcome; commits it once loaded. */
export async function judgeRun(host: CellRunHost, runner: RunnerProcess, unit: UnitRun): Promise<RunOutcome> {
  const { cell, plan } = unit;
  const command: RunnerCommand = unit.command ?? { kind: 'run', object: unit.object, symbol: plan.symbol, check: Boolean(cell.check) };
  const { result, stopping } = await supervised(runner, cell, command, unit.deadline);
  if (result.kind === 'ended') {
    const cells = host.state.cells();
    host.lose();
    return withLostState(endedOutcome(result.end, stopping, cell.timeLimit), cells);
  }
  const reply = result.reply;
  unit.onReply?.(reply);
  if (reply.status === 'load-error') return loadError(reply.message);
  if (plan.record.defs.length > 0 || plan.record.globals) host.state.commit(plan.record);
  if (plan.reusable) host.loaded.set(plan.key, plan);
  host.state.noteRan(cell.executionCount);
  if (reply.sticky) {
    const cells = host.state.cells();
    runner.kill();
    host.lose();
    await runner.ended;
    return contextLost(reply.cuda, cells);
  }
  if (reply.cuda && unit.benching && !UNAVAILABLE.has(reply.cuda.name)) return cudaFailure(reply.cuda);
  if (reply.cuda && !unit.benching && shown(reply.cuda, unit.syntax) && !unit.noticed?.has(reply.cuda.name)) {
    cell.output.stream('stderr', cudaNotice(reply.cuda));
    if (UNAVAILABLE.has(reply.cuda.name)) unit.noticed?.add(reply.cuda.name);
  }
  if (stopping === 'timeout') return timeoutError(cell.timeLimit?.seconds ?? 0, cell.timeLimit?.source ?? 'time limit');
  if (stopping === 'abort' || reply.status === 'interrupted') return interrupted();
  if (reply.status === 'exception') return exceptionError(reply.message);
  return { status: 'ok' };
}

/** Whether a pending CUDA error is worth a notice: "no GPU" only for cells that use CUDA. */
function shown(report: CudaErrorReport, syntax: CellSyntax): boolean {
  return !UNAVAILABLE.has(report.name) || syntax.usesCuda;
}

/** What a supervised command came to, and which of interrupt or deadline stopped it. */
export interface Supervised {
  result: RunResult;
  stopping?: 'abort' | 'timeout';
}

/** Runs a command with the interrupt and the deadline watched; says which of them stopped it. */
export async function supervised(
  runner: RunnerProcess,
  cell: Pick<CellOptions, 'signal' | 'output' | 'input'>,
  command: RunnerCommand,
  deadline: number | undefined,
): Promise<Supervised> {
  let stopping: 'abort' | 'timeout' | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'abort' | 'timeout') => {
    if (stopping) return;
    stopping = why;
    runner.interrupt();
    killTimer = setTimeout(() => runner.kill(), GRACE_MS);
  };
  const onAbort = () => stop('abort');
  cell.signal.addEventListener('abort', onAbort, { once: true });
  const timer = deadline === undefined ? undefined : setTimeout(() => stop('timeout'), Math.max(0, deadline - Date.now()));
  try {
    const running = runner.run({ command, output: cell.output, input: cell.input });
    if (cell.signal.aborted) onAbort();
    return { result: await running, stopping };
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    cell.signal.removeEventListener('abort', onAbort);
  }
}
