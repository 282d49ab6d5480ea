// The magic lines at the top of a cell, parsed into a plan: one table, pure functions.
// A magic line starts with `%` or `//%` (the latter keeps the cell valid C++ for editors);
// magic lines are blanked in the source so nvcc's line numbers stay the user's.
import { split } from 'shlex';

/** What session flags a cell asks for: set them, drop them, or show them. */
export type DefaultFlagsAction = { set: string[] } | 'reset' | 'show';

/** Everything a cell asks for besides its source. */
export interface Plan {
  flags: string[];
  args: string[];
  env: Record<string, string>;
  timeoutS?: number;
  keep: boolean;
  defaultFlags?: DefaultFlagsAction;
  /** The cell with its magic lines blanked: same number of lines. */
  source: string;
  /** Whether anything but magics and whitespace is left to compile. */
  hasCode: boolean;
}

export interface Magic {
  name: string;
  usage: string;
  help: string;
  /** Adds this magic to the plan; throws a plain Error whose message says what is wrong. */
  parse(args: string[], rest: string, plan: Plan): void;
}

/** Thrown for a bad magic line; the message starts with `line N:`. */
export class MagicError extends Error {
  override name = 'MagicError';
}

export const MAGICS: readonly Magic[] = [
  {
    name: 'flags', usage: '%flags ARGS…', help: 'Extra nvcc flags for this cell only, e.g. %flags -O3 -lineinfo.',
    parse(args, _rest, plan) { needSome(args); plan.flags.push(...args); },
  },
  {
    name: 'default_flags', usage: '%default_flags [ARGS…|--reset]',
    help: 'nvcc flags for every later cell; --reset drops them; alone, shows them.',
    parse(args, _rest, plan) {
      plan.defaultFlags = args.length === 0 ? 'show' : args.length === 1 && args[0] === '--reset' ? 'reset' : { set: args };
    },
  },
  {
    name: 'args', usage: '%args ARGS…', help: "Command-line arguments for the program (argv[1]…); quoted like a shell, never run by one.",
    parse(args, _rest, plan) { plan.args.push(...args); },
  },
  {
    name: 'env', usage: '%env NAME=VALUE', help: 'An environment variable for the program; VALUE is the rest of the line.',
    parse(_args, rest, plan) { const [name, value] = parseAssignment(rest); plan.env[name] = value; },
  },
  {
    name: 'timeout', usage: '%timeout SECONDS', help: 'Kill the program after SECONDS (default: ICUDA_TIMEOUT, else none).',
    parse(args, _rest, plan) { plan.timeoutS = parseSeconds(args); },
  },
  {
    name: 'keep', usage: '%keep', help: "Keep this cell's scratch directory (cell.cu, prog) until the kernel exits; prints its path.",
    parse(args, _rest, plan) { if (args.length > 0) throw new Error('takes no arguments'); plan.keep = true; },
  },
];

/** Finds a magic by name (without the `%`). */
export function findMagic(name: string): Magic | undefined {
  return MAGICS.find((magic) => magic.name === name);
}

/** The text after `%` or `//%` when a line is a magic line, else undefined. */
export function magicText(line: string): string | undefined {
  const match = /^\s*(?:\/\/)?%(.*)$/.exec(line);
  return match ? match[1]!.trim() : undefined;
}

/** Parses the leading magic lines of a cell; throws MagicError naming the bad line. */
export function parseCell(code: string): Plan {
  const lines = code.split('\n');
  const plan: Plan = { flags: [], args: [], env: {}, keep: false, source: '', hasCode: false };
  for (let i = 0; i < lines.length; i++) {
    const text = magicText(lines[i]!);
    if (text === undefined && lines[i]!.trim() !== '') break;
    if (text === undefined) continue;
    parseMagicLine(text, i + 1, plan);
    lines[i] = '';
  }
  plan.source = lines.join('\n');
  plan.hasCode = plan.source.trim() !== '';
  return plan;
}

/** Parses one magic line's text (after the `%`) into the plan. */
function parseMagicLine(text: string, lineNo: number, plan: Plan): void {
  const name = /^\S*/.exec(text)![0];
  const magic = findMagic(name);
  if (!magic) {
    const known = MAGICS.map((m) => `%${m.name}`).join(', ');
    throw new MagicError(`line ${lineNo}: unknown magic %${name} (known: ${known})`);
  }
  const rest = text.slice(name.length).trim();
  try {
    magic.parse(magic.name === 'env' ? [] : split(rest), rest, plan);
  } catch (error) {
    throw new MagicError(`line ${lineNo}: %${name}: ${(error as Error).message} (usage: ${magic.usage})`);
  }
}

/** Rejects an empty argument list. */
function needSome(args: string[]): void {
  if (args.length === 0) throw new Error('needs at least one argument');
}

/** `NAME=VALUE` → [NAME, VALUE]; VALUE is the rest of the line, unquoted when it is one quoted word. */
function parseAssignment(rest: string): [string, string] {
  const eq = rest.indexOf('=');
  const name = eq < 0 ? rest : rest.slice(0, eq).trim();
  if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`expected NAME=VALUE, got ${JSON.stringify(rest)}`);
  const raw = rest.slice(eq + 1).trim();
  return [name, /^["']/.test(raw) ? unquoteOne(raw) : raw];
}

/** The single word a quoted value stands for, or the raw text when it is not exactly one word. */
function unquoteOne(raw: string): string {
  try {
    const words = split(raw);
    return words.length === 1 ? words[0]! : raw;
  } catch {
    return raw;
  }
}

/** One positive number of seconds. */
function parseSeconds(args: string[]): number {
  const seconds = args.length === 1 ? Number(args[0]) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`expected one positive number of seconds, got ${JSON.stringify(args.join(' '))}`);
  }
  return seconds;
}
