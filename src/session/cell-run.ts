// One session cell from source to outcome: split, refuse what cannot work, plan its parts on a
// copy of the session's state, compile them all, then load and run them in order in the runner,
// each committed to the session once it is loaded.
import { errorOutcome } from '../engine/errors.js';
import type { ErrorOutcome, RunOutcome } from '../engine/outcome.js';
import type { CellSyntax } from './cell-model.js';
import { planUnit, type UnitPlan } from './generate.js';
import type { RunnerProcess } from './runner-process.js';
import { judgeRun } from './run-judge.js';
import { deviceVariableError } from './session-outcomes.js';
import type { CellOptions, CellRunHost } from './session-types.js';
import { partsOf, splitCell } from './splitter.js';
import type { SessionState } from './state.js';
import { buildUnit, type BuiltUnit } from './unit-build.js';

/** A planned part with its object (absent when an identical one is loaded already). */
interface ReadyUnit {
  plan: UnitPlan;
  built?: BuiltUnit;
}

/** An earlier cell's device variable used here: refused, naming it and the remedy. */
export function deviceVariableUse(state: SessionState, syntax: CellSyntax): ErrorOutcome | undefined {
  for (const { unit, def } of state.newest.values()) {
    if (def.kind === 'device-variable' && syntax.refs.has(def.name) && !syntax.declared.has(def.name))
      return deviceVariableError(def, unit.cell);
  }
  return undefined;
}

export class CellRun {
  constructor(
    readonly host: CellRunHost,
    readonly cell: CellOptions,
  ) {}

  /** Runs the cell; every object built is removed from scratch whatever happens. */
  async run(source: string): Promise<RunOutcome> {
    const runner = await this.host.runner(this.cell.output); // first: a dead runner's state must not be planned on
    if ('status' in runner) return runner;
    const syntax = await splitCell(source, (name) => this.host.state.kindOf(name));
    if (syntax.hasMain) return errorOutcome('SessionError', 'this cell defines main(): run it as a whole program, not as a session cell');
    const refused = deviceVariableUse(this.host.state, syntax);
    if (refused) return refused;
    const ready: ReadyUnit[] = [];
    try {
      this.cell.onPhase?.('compiling');
      const built = await this.#buildAll(syntax, ready);
      if (built) return built;
      this.cell.onPhase?.('running');
      return await this.#runAll(runner, syntax, ready);
    } finally {
      await Promise.all(ready.flatMap((unit) => (unit.built ? [this.host.options.scratch.removeRun(unit.built.dir)] : [])));
    }
  }

  /** Plans every part on a copy of the state, and compiles those not loaded already. */
  async #buildAll(syntax: CellSyntax, ready: ReadyUnit[]): Promise<ErrorOutcome | undefined> {
    const planning = this.host.state.fork();
    for (const part of partsOf(syntax.chunks)) {
      if (part.length === 0) continue;
      const fresh = planUnit(planning, part, this.cell.executionCount, this.host.nextId(), syntax.refs, this.cell.flags);
      const loaded = fresh.reusable ? this.host.loaded.get(fresh.key) : undefined;
      const plan = loaded ?? fresh;
      planning.commit(plan.record);
      const unit: ReadyUnit = { plan };
      ready.push(unit);
      if (loaded) continue; // the same object is in the runner already: run it again
      const built = await buildUnit({ ...this.host.options, dirs: this.host.options.dirs ?? [] }, plan, this.cell);
      if (built.status === 'error') return built;
      unit.built = built;
    }
    return undefined;
  }

  /** Loads and runs the parts in order; the time limit covers them all. */
  async #runAll(runner: RunnerProcess, syntax: CellSyntax, ready: ReadyUnit[]): Promise<RunOutcome> {
    const deadline = this.cell.timeLimit ? Date.now() + this.cell.timeLimit.seconds * 1000 : undefined;
    const noticed = new Set<string>();
    for (const { plan, built } of ready) {
      const outcome = await judgeRun(this.host, runner, { plan, object: built?.object, syntax, cell: this.cell, deadline, noticed });
      if (outcome.status === 'error') return outcome;
    }
    return { status: 'ok' };
  }
}
