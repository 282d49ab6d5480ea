// src/session: session cells. A cell without main() is split (declarations at file scope,
// statements in a generated function), compiled by nvcc into a shared object and loaded into one
// long-lived runner process, so what it defines stays for the cells after it. Builds on the
// engine only: it must never import Jupyter, ZeroMQ or gRPC (the kernel and the GPU host both
// use it). This file is the door: the Session a kernel holds.
import { errorOutcome, interrupted } from '../engine/errors.js';
import type { ErrorOutcome, OutputSink, RunOutcome } from '../engine/outcome.js';
import { benchCell } from './cell-bench.js';
import { CellRun, deviceVariableUse } from './cell-run.js';
import { planUnit } from './generate.js';
import { RunnerProcess } from './runner-process.js';
import { runnerBinary } from './runner-binary.js';
import { lostStateLine, NOTHING_TO_REPLAY } from './session-outcomes.js';
import type { BenchRequest, CellOptions, CellRunHost, JournalEntry, SessionBench, SessionName, SessionOptions } from './session-types.js';
import { withMemory } from './session-vars.js';
import { splitCell } from './splitter.js';
import type { UnitPlan } from './generate.js';
import { SessionState } from './state.js';

export type { BenchRequest, CellOptions, JournalEntry, SessionBench, SessionName, SessionOptions } from './session-types.js';

/** The session cells of one kernel: their definitions and the runner holding their state. */
export class Session implements CellRunHost {
  state = new SessionState();
  /** Units that define no variable, loaded in this runner, by key: an unchanged cell run again reuses them. */
  loaded = new Map<string, UnitPlan>();
  #runner: RunnerProcess | undefined;
  #nextId = 1;
  #journal: JournalEntry[] = [];
  #cwd: Promise<string> | undefined;
  #closed = false;

  constructor(readonly options: SessionOptions) {}

  /** Runs a session cell; a user's failure is the returned outcome, never a throw. */
  async runCell(source: string, cell: CellOptions): Promise<RunOutcome> {
    if (this.#closed) return interrupted();
    const outcome = await new CellRun(this, cell).run(source);
    if (outcome.status === 'ok')
      this.#journal.push({ source, executionCount: cell.executionCount, flags: cell.flags, check: Boolean(cell.check) });
    return outcome;
  }

  /** %bench: compiles and loads the cell once, then `drive` times its statements in batches. */
  async bench(
    source: string,
    cell: CellOptions,
    request: BenchRequest,
    drive: (bench: SessionBench) => Promise<RunOutcome>,
  ): Promise<RunOutcome> {
    if (this.#closed) return interrupted();
    const outcome = await benchCell(this, cell, request, source, drive);
    if (outcome.status === 'ok')
      this.#journal.push({ source, executionCount: cell.executionCount, flags: cell.flags, check: Boolean(cell.check) });
    return outcome;
  }

  /** The source nvcc would compile for this cell now, as one unit (for %%ptx, %%sass, %resources). */
  async unitSource(source: string, cell: Pick<CellOptions, 'executionCount' | 'flags'>): Promise<string | ErrorOutcome> {
    const syntax = await splitCell(source, (name) => this.state.kindOf(name));
    if (syntax.hasMain) return errorOutcome('SessionError', 'this cell defines main(): it is a whole program, not a session cell');
    const refused = deviceVariableUse(this.state, syntax);
    if (refused) return refused;
    return planUnit(this.state.fork(), syntax.chunks, cell.executionCount, this.nextId(), syntax.refs, cell.flags).source;
  }

  /** %replay: a fresh session, then every cell that completed since the last %reset, in order. */
  async replay(cell: Omit<CellOptions, 'executionCount' | 'flags' | 'check'>): Promise<RunOutcome> {
    const entries = this.#journal;
    if (entries.length === 0) cell.output.stream('stdout', NOTHING_TO_REPLAY);
    await this.restart();
    this.#journal = [];
    for (const entry of entries) {
      cell.output.stream('stdout', `[replay] cell [${entry.executionCount}]\n`);
      const outcome = await this.runCell(entry.source, { ...cell, ...entry });
      if (outcome.status === 'error') {
        this.#journal = entries;
        return { ...outcome, traceback: [...outcome.traceback, `%replay stopped at cell [${entry.executionCount}].`] };
      }
    }
    return { status: 'ok' };
  }

  /** %reset: a fresh session with nothing to replay. */
  async reset(): Promise<void> {
    await this.restart();
    this.#journal = [];
  }

  /** Ends the runner and removes the session's files; later cells are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.restart();
    if (this.#cwd) await this.options.scratch.removeRun(await this.#cwd).catch(() => undefined);
  }

  /** The names with what the runner finds of the variables: sizes, and where pointers point. */
  async describeMemory(signal: AbortSignal, output: OutputSink): Promise<SessionName[]> {
    const names = this.describe();
    const runner = this.#runner;
    return runner?.alive ? withMemory(names, this.state, runner, signal, output) : names;
  }

  /** The names the session defines now (the newest of each), in the order defined. */
  describe(): SessionName[] {
    return [...this.state.newest.entries()]
      .map(([name, { unit, def }]) => ({
        name,
        kind: def.kind,
        cell: unit.cell,
        signature: def.signature,
        order: unit.id * 1e6 + def.line,
      }))
      .sort((a, b) => a.order - b.order)
      .map(({ order: _order, ...entry }) => entry);
  }

  /** The live runner's process id (its process group's too), if one runs. */
  get runnerPid(): number | undefined {
    return this.#runner?.alive ? this.#runner.pid : undefined;
  }

  /** The cells %replay would run. */
  get journal(): readonly JournalEntry[] {
    return this.#journal;
  }

  /** A fresh unit number for this runner. */
  nextId(): number {
    return this.#nextId++;
  }

  /** The live runner, started (and built) when there is none; says so when the last one died on its own. */
  async runner(output: OutputSink): Promise<RunnerProcess | ErrorOutcome> {
    if (this.#runner?.alive) return this.#runner;
    if (this.#runner) {
      output.stream('stderr', `icuda: the session runner ended after the last cell. ${lostStateLine(this.state.cells())}\n`);
      this.lose();
    }
    const { nvcc, nvccVersion, env, reaper, log, limits } = this.options;
    const binary = await runnerBinary({ nvcc, nvccVersion, env, dir: this.options.runnerDir });
    if (typeof binary !== 'string') return binary;
    const cwd = this.options.cwd ?? (await (this.#cwd ??= this.options.scratch.createRun()));
    if (this.#closed) return interrupted();
    this.#runner = new RunnerProcess({ binary, cwd, env, limits, reaper, log: log.child({ component: 'session-runner' }) });
    return this.#runner.alive ? this.#runner : errorOutcome('SessionError', 'could not start the session runner');
  }

  /** Forgets the runner's state (it is dead or about to be). */
  lose(): void {
    this.#runner = undefined;
    this.state = new SessionState();
    this.loaded.clear();
    this.#nextId = 1;
  }

  /** Kills the runner, if any, and waits for its end; the next cell starts a fresh one. */
  async restart(): Promise<void> {
    const runner = this.#runner;
    this.lose();
    if (!runner) return;
    runner.kill();
    await runner.ended;
  }
}
