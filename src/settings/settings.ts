// The settings, read once: loadSettings() parses every variable of the table (table.ts) from the
// environment at start and validates it; the parts get the typed result passed down and never
// read the environment themselves. The same table writes `icuda --help`'s environment section,
// the README's table (a test keeps them equal) and what `icuda doctor` shows.
import * as v from 'valibot';
import type { ProgramLimits } from '../engine/run/limits.js';
import type { ToolPlaces } from '../engine/toolchain/toolchain.js';
import { DEFINITIONS, type Definition, type Env } from './table.js';

export type { Env, LogLevel } from './table.js';

type Definitions = typeof DEFINITIONS;
type ValueOf<D> = D extends Definition<infer T> ? T : never;

/** The settings, typed; `env` is the environment itself, which nvcc and programs inherit. */
export type Settings = { readonly [K in keyof Definitions]: ValueOf<Definitions[K]> } & {
  readonly env: Env;
  /** Values that were invalid and replaced by their default (one line each, for the log). */
  readonly warnings: readonly string[];
  /** Values that were invalid where a default would be a wrong guess (the part that needs them fails with these). */
  readonly errors: readonly string[];
};

/** Reads and checks every setting of `env` (by default this process's environment, read once here). */
export function loadSettings(env: Env = process.env): Settings {
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const [key, d] of Object.entries(DEFINITIONS) as [string, Definition<unknown>][]) {
    const raw = env[d.variable];
    const unset = raw === undefined || (raw === '' && !d.emptyIsAValue);
    const parsed = unset ? undefined : v.safeParse(d.schema, raw);
    if (parsed?.success) values[key] = parsed.output;
    else {
      values[key] = d.fallback(env);
      if (parsed) (d.invalid === 'error' ? errors : warnings).push(invalidMessage(d, raw!));
    }
  }
  return { ...(values as { [K in keyof Definitions]: ValueOf<Definitions[K]> }), env: { ...env }, warnings, errors };
}

/** The settings with some variables set anew (a cell's %env): only those are parsed again. */
export function withOverrides(settings: Settings, overrides: Env): Settings {
  const touched = Object.entries(DEFINITIONS).filter(([, d]) => overrides[d.variable] !== undefined);
  if (touched.length === 0) return settings;
  const fresh = loadSettings({ ...settings.env, ...overrides });
  return { ...settings, ...Object.fromEntries(touched.map(([key]) => [key, fresh[key as keyof Definitions]])), warnings: fresh.warnings };
}

/** "ICUDA_TIMEOUT="soon" is not a number of seconds above 0; using the default (none)". */
function invalidMessage(d: Definition<unknown>, raw: string): string {
  const head = `${d.variable}=${JSON.stringify(raw)} is not ${d.expects}`;
  return d.invalid === 'error' ? head : `${head}; using the default (${d.shown})`;
}

/** One row per setting: variable, default, meaning (for the help, the README and doctor). */
export function describeSettings(): { variable: string; shown: string; meaning: string }[] {
  return Object.values(DEFINITIONS as Record<string, Definition<unknown>>).map((d) => ({
    variable: d.variable,
    shown: d.shown,
    meaning: d.meaning,
  }));
}

/** The settings a user changed from their defaults, as `NAME=value` lines (for doctor). */
export function changedSettings(settings: Settings): string[] {
  return Object.values(DEFINITIONS as Record<string, Definition<unknown>>)
    .filter((d) => d.variable.startsWith('ICUDA_') && settings.env[d.variable] !== undefined && settings.env[d.variable] !== '')
    .map((d) => `${d.variable}=${settings.env[d.variable]}`);
}

/** Where nvcc and the CUDA tools are looked for. */
export function toolPlaces(settings: Settings): ToolPlaces {
  return { nvcc: settings.nvcc, cudaHome: settings.cudaHome, cudaPath: settings.cudaPath, path: settings.path };
}

/** The limits programs and nvcc run under. */
export function programLimits(settings: Settings): ProgramLimits {
  return {
    fileSizeBytes: settings.maxFileSize,
    processes: settings.maxProcesses,
    coreDumps: false,
    compileSeconds: settings.compileTimeoutS,
  };
}

/** The README's table of settings (Markdown), kept equal to the table by a test; `npm run docs` writes it. */
export function settingsTable(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = describeSettings().map((r) => `| \`${r.variable}\` | ${cell(r.shown || '—')} | ${cell(r.meaning)} |`);
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows, ''].join('\n');
}
