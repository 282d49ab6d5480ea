// What the session has defined so far, as the compiler must see it: every loaded unit (one object
// each) with its versioned namespace, and for each name the newest unit that defines it.
import { type Definition, qualified } from './cell-model.js';

/** One loaded object: a cell, or a part of one. */
export interface UnitRecord {
  id: number;
  /** Its namespace: `icuda_u<id>`. */
  ns: string;
  /** The cell's execution count. */
  cell: number;
  /** Its preprocessor lines and other file-scope text, as every later unit compiles them. */
  globals: string;
  /** What a later unit that needs it compiles: its declarations, and the using-declarations they need. */
  block: string;
  defs: Definition[];
  /** The units its block refers to. */
  needs: UnitRecord[];
}

/** A name as the newest unit defines it. */
export interface Visible {
  unit: UnitRecord;
  def: Definition;
}

/** The session's definitions; `fork()` gives a copy to plan a cell's parts on before any runs. */
export class SessionState {
  readonly units: UnitRecord[] = [];
  readonly newest = new Map<string, Visible>();
  /** Qualified names by their last part, for finding what a cell refers to. */
  readonly #byLeaf = new Map<string, Set<string>>();
  readonly #ran = new Set<number>();

  /** Adds a unit's definitions; newer ones hide older ones of the same name. A unit committed
   * again (an unchanged cell run again) makes its definitions the newest once more. */
  commit(unit: UnitRecord): void {
    if (!this.units.includes(unit)) this.units.push(unit);
    for (const def of unit.defs) {
      const name = qualified(def.path, def.name);
      this.newest.set(name, { unit, def });
      const names = this.#byLeaf.get(def.name) ?? new Set<string>();
      this.#byLeaf.set(def.name, names.add(name));
    }
  }

  /** A copy that can take tentative commits. */
  fork(): SessionState {
    const copy = new SessionState();
    copy.units.push(...this.units);
    for (const [name, visible] of this.newest) copy.newest.set(name, visible);
    for (const [leaf, names] of this.#byLeaf) copy.#byLeaf.set(leaf, new Set(names));
    return copy;
  }

  /** The visible definitions a text using `refs` needs, except names in `own`. */
  viewFor(refs: Iterable<string>, own: ReadonlySet<string>): Map<string, Visible> {
    const view = new Map<string, Visible>();
    for (const ref of refs) {
      for (const name of this.#byLeaf.get(ref) ?? []) {
        const visible = this.newest.get(name);
        if (visible && !own.has(name)) view.set(name, visible);
      }
    }
    return view;
  }

  /** What kind of thing an earlier unit defined under this name, for the splitter. */
  kindOf(name: string): 'function' | 'value' | 'other' | undefined {
    const kind = this.newest.get(name)?.def.kind;
    if (!kind) return undefined;
    if (kind === 'variable' || kind === 'constant' || kind === 'device-variable') return 'value';
    return kind === 'function' || kind === 'kernel' || kind === 'device-function' ? 'function' : 'other';
  }

  /** The file-scope text of every unit so far, in order. */
  globals(): string {
    return this.units.map((unit) => unit.globals).join('');
  }

  /** Notes that a cell's object was loaded (it may have changed state without defining anything). */
  noteRan(cell: number): void {
    this.#ran.add(cell);
  }

  /** Cells that ran in this runner, in order: what a restart loses. */
  cells(): number[] {
    return [...this.#ran];
  }
}

/** The units `view` refers to and, transitively, those their blocks need; oldest first. */
export function closureOf(view: Map<string, Visible>): UnitRecord[] {
  const found = new Map<number, UnitRecord>();
  const visit = (unit: UnitRecord) => {
    if (found.has(unit.id)) return;
    found.set(unit.id, unit);
    for (const need of unit.needs) visit(need);
  };
  for (const { unit } of view.values()) visit(unit);
  return [...found.values()].sort((a, b) => a.id - b.id);
}
