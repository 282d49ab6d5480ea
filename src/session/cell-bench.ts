// %bench on a session cell: the cell is split and compiled once, as one unit with its --bytes and
// --flops as functions of its own, loaded (its definitions made, the work evaluated), then its
// statements run in the batches of repetitions the caller asks for. Each batch is judged as a cell
// run is: interrupt, time limit, crash and lost context; a CUDA error left pending ends the bench.
import { errorOutcome } from '../engine/errors.js';
import type { ErrorOutcome, OutputSink, RunOutcome } from '../engine/outcome.js';
import type { CellSyntax } from './cell-model.js';
import { deviceVariableUse } from './cell-run.js';
import { planUnit, type UnitPlan } from './generate.js';
import { judgeRun, supervised } from './run-judge.js';
import type { RunnerCommand, RunnerProcess } from './runner-process.js';
import type { BatchReply, RunnerReply } from './runner-reply.js';
import type { BatchTimes, BenchRequest, CellOptions, CellRunHost, RuntimeInfo, SessionBench } from './session-types.js';
import { partsOf, splitCell } from './splitter.js';
import { buildUnit } from './unit-build.js';

/** Runs `drive` on the loaded cell; every object built is removed from scratch whatever happens. */
export async function benchCell(
  host: CellRunHost,
  cell: CellOptions,
  request: BenchRequest,
  source: string,
  drive: (bench: SessionBench) => Promise<RunOutcome>,
): Promise<RunOutcome> {
  const runner = await host.runner(cell.output);
  if ('status' in runner) return runner;
  const syntax = await splitCell(source, (name) => host.state.kindOf(name));
  const refused = benchRefusal(syntax) ?? deviceVariableUse(host.state, syntax);
  if (refused) return refused;
  cell.onPhase?.('compiling');
  const deadline = cell.timeLimit ? Date.now() + cell.timeLimit.seconds * 1000 : undefined;
  const fresh = planUnit(host.state.fork(), syntax.chunks, cell.executionCount, host.nextId(), syntax.refs, cell.flags, request);
  const plan = (fresh.reusable ? host.loaded.get(fresh.key) : undefined) ?? fresh;
  const built = plan === fresh ? await buildUnit({ ...host.options, dirs: host.options.dirs ?? [] }, plan, cell) : undefined;
  if (built?.status === 'error') return built;
  try {
    cell.onPhase?.('running');
    const bench = new LoadedBench(host, runner, cell, request, { plan, syntax, deadline });
    const prepared = await bench.load(built?.object);
    return prepared ?? (await drive(bench));
  } finally {
    if (built) await host.options.scratch.removeRun(built.dir);
  }
}

/** Why a cell cannot be benched as it is, if it cannot. */
function benchRefusal(syntax: CellSyntax): ErrorOutcome | undefined {
  if (syntax.hasMain) return errorOutcome('SessionError', 'this cell defines main(): run it as a whole program, not as a session cell');
  if (!syntax.chunks.some((chunk) => chunk.kind === 'stmt'))
    return errorOutcome('SessionError', "%bench times a session cell's statements, and this cell has none: add the launch or call to time");
  if (partsOf(syntax.chunks).filter((part) => part.length > 0).length > 1)
    return errorOutcome('SessionError', "%bench times a cell's statements: define its variables before them (or in an earlier cell)");
  return undefined;
}

/** The unit being benched. */
interface BenchUnit {
  plan: UnitPlan;
  syntax: CellSyntax;
  deadline: number | undefined;
}

/** A bench cell loaded in the runner: its work, its runtime's info, and batches of repetitions. */
class LoadedBench implements SessionBench {
  work: { bytes?: number; flops?: number } = {};
  info: RuntimeInfo | undefined;

  constructor(
    readonly host: CellRunHost,
    readonly runner: RunnerProcess,
    readonly cell: CellOptions,
    readonly request: BenchRequest,
    readonly unit: BenchUnit,
  ) {}

  /** Loads the object (no repetition), keeps the work it evaluated and asks for the runtime's info. */
  async load(object: string | undefined): Promise<ErrorOutcome | undefined> {
    const { reply, error } = await this.#command({ kind: 'bench', object, ...this.#repeat(0, false) }, this.cell.output);
    if (error) return error;
    this.work = {
      ...(typeof reply?.bytes === 'number' ? { bytes: reply.bytes } : {}),
      ...(typeof reply?.flops === 'number' ? { flops: reply.flops } : {}),
    };
    const asked = await supervised(this.runner, { ...this.cell, output: silent(this.cell.output) }, { kind: 'info' }, this.unit.deadline);
    if (asked.result.kind === 'reply') this.info = asked.result.reply.info;
    return undefined;
  }

  /** Runs `count` repetitions; only with `show` is the first one's output shown. */
  async batch(count: number, show: boolean): Promise<BatchTimes | ErrorOutcome> {
    const output = show ? this.cell.output : silent(this.cell.output);
    const { reply, error } = await this.#command({ kind: 'bench', ...this.#repeat(count, show) }, output);
    if (!reply) return error ?? errorOutcome('SessionError', 'the session runner did not say what the bench measured');
    const gpu = reply.gpu?.every((ms) => typeof ms === 'number') ? reply.gpu : undefined;
    const notes = [
      ...(reply.events ? [`the GPU events failed (${reply.events}): host times only${this.#workWords()}`] : []),
      ...(!reply.events && !gpu ? ['a GPU time could not be read (cudaEventElapsedTime failed): host times only'] : []),
      ...(reply.cold ? [`--cold: the L2 cache could not be flushed (${reply.cold})`] : []),
    ];
    return { gpu, host: reply.host, notes, ...(error ? { error } : {}) };
  }

  /** What host times leave out when --bytes or --flops were given. */
  #workWords(): string {
    return this.request.bytes !== undefined || this.request.flops !== undefined ? ', so no bandwidth or throughput' : '';
  }

  /** The bench command's fields for `reps` repetitions. */
  #repeat(reps: number, show: boolean) {
    return { symbol: this.unit.plan.symbol, work: this.unit.plan.work, reps, show, cold: this.request.cold };
  }

  /** Sends a bench command and judges it as a cell run: what the runner measured, and the cell's error if any. */
  async #command(command: RunnerCommand, output: OutputSink): Promise<{ reply?: BatchReply; error?: ErrorOutcome }> {
    let reply: RunnerReply | undefined;
    const { plan, syntax, deadline } = this.unit;
    const object = command.kind === 'bench' ? command.object : undefined;
    const cell = { ...this.cell, output, input: undefined };
    const onReply = (r: RunnerReply) => (reply = r);
    const outcome = await judgeRun(this.host, this.runner, { plan, object, syntax, cell, deadline, command, onReply, benching: true });
    return { reply: reply?.bench, ...(outcome.status === 'error' ? { error: outcome } : {}) };
  }
}

/** A sink that shows nothing: repetitions after the first, and the runtime's info. */
function silent(output: OutputSink): OutputSink {
  return {
    stream: () => undefined,
    display: () => undefined,
    updateDisplay: () => undefined,
    clearOutput: () => undefined,
    flush: () => output.flush(),
  };
}
