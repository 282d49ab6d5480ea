// The magic lines at the top of a cell, parsed into a plan: one table, pure functions.
// A magic line starts with `%` or `//%` (the latter keeps the cell valid C++ for editors);
// magic lines are blanked in the source so nvcc's line numbers stay the user's.
import { split } from 'shlex';
import { CHECK_FLAGS } from '../../engine/compile/program-hooks.js';
import { bytesFrom } from '../../units.js';
import { BENCH_USAGE } from '../bench/options.js';
import { closestName } from './magic-help.js';
import * as nb from './notebook-magics.js';
import type { Magic, Plan } from './plan.js';

/** Thrown for a bad magic line; the message starts with `line N:`. */
export class MagicError extends Error {
  override name = 'MagicError';
}

export const MAGICS: readonly Magic[] = [
  {
    name: 'flags',
    usage: '%flags ARGS…',
    help: 'Extra nvcc flags for this cell only, e.g. %flags -O3 -lineinfo.',
    parse(args, _rest, plan) {
      needSome(args);
      plan.flags.push(...args);
    },
  },
  {
    name: 'default_flags',
    usage: '%default_flags [ARGS…|--reset]',
    help: 'nvcc flags for every later cell; --reset drops them; alone, shows them.',
    parse(args, _rest, plan) {
      plan.defaultFlags = args.length === 0 ? 'show' : args.length === 1 && args[0] === '--reset' ? 'reset' : { set: args };
    },
  },
  {
    name: 'args',
    usage: '%args ARGS…',
    help: 'Command-line arguments for the program (argv[1]…); quoted like a shell, never run by one. Cells with main() only.',
    parse(args, _rest, plan) {
      plan.args.push(...args);
    },
  },
  {
    name: 'env',
    usage: '%env NAME=VALUE',
    help: 'An environment variable for the program; VALUE is the rest of the line. Cells with main() only.',
    parse(_args, rest, plan) {
      const [name, value] = parseAssignment(rest);
      plan.env[name] = value;
    },
  },
  {
    name: 'timeout',
    usage: '%timeout SECONDS',
    help: 'Kill the program after SECONDS (default: ICUDA_TIMEOUT, else none).',
    parse(args, _rest, plan) {
      plan.timeoutS = parseSeconds(args);
    },
  },
  {
    name: 'keep',
    usage: '%keep',
    help: "Keep this cell's scratch directory (cell.cu, prog) until the kernel exits; prints its path. Cells with main() only.",
    parse(args, _rest, plan) {
      if (args.length > 0) throw new Error('takes no arguments');
      plan.keep = true;
    },
  },
  {
    name: 'check',
    usage: '%check',
    help: 'Check every kernel launch: each is synchronized and a failed one is reported with its number and grid (CUDA 12.8+).',
    parse(args, _rest, plan) {
      if (args.length > 0) throw new Error('takes no arguments');
      plan.flags.push(...CHECK_FLAGS);
      plan.check = true;
    },
  },
  {
    name: 'nocache',
    usage: '%nocache',
    help: 'Compile this cell with nvcc even when the compile cache holds its binary; store nothing.',
    parse(args, _rest, plan) {
      noArgs(args);
      plan.nocache = true;
    },
  },
  {
    name: 'limits',
    usage: '%limits',
    help: 'Show the limits every program runs under (wall time, file size, processes, core dumps, compile time) and how to change them.',
    parse(args, _rest, plan) {
      noArgs(args);
      plan.showLimits = true;
    },
  },
  {
    name: 'cache',
    usage: '%cache',
    help: "Show the compile cache: where it is, its size, and this session's hit rate.",
    parse(args, _rest, plan) {
      noArgs(args);
      plan.showCache = true;
    },
  },
  {
    name: 'output_limit',
    usage: '%output_limit SIZE',
    help: 'Show at most SIZE of output (e.g. 10M, 512K, 0 for no limit; default 4M); all of it is saved to a file.',
    parse(args, _rest, plan) {
      plan.outputLimit = parseSize(args);
    },
  },
  {
    name: 'file',
    cell: true,
    usage: '%%file [-a] NAME',
    help: 'Saves (-a: appends) the rest of the cell as NAME (.cu/.cuh/.h/.hpp) in the workspace; later cells #include it.',
    parse(args, _rest, plan) {
      plan.cellMagic = nb.parseFile(args);
    },
  },
  {
    name: 'ptx',
    cell: true,
    usage: '%%ptx',
    help: "Compiles the cell and shows its PTX and each kernel's registers, shared memory, stack and spills.",
    parse(args, _rest, plan) {
      nb.noArgs(args);
      plan.cellMagic = { name: 'ptx' };
    },
  },
  {
    name: 'sass',
    cell: true,
    usage: '%%sass',
    help: 'Compiles the cell for the target arch and shows its SASS (cuobjdump or nvdisasm) and resource summary.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      plan.cellMagic = { name: 'sass' };
    },
  },
  {
    name: 'sources',
    usage: '%sources FILE…',
    help: 'Compiles and links these workspace .cu files with the cell (nvcc -rdc=true). Cells with main() only.',
    parse(args, _rest, plan) {
      needSome(args);
      plan.sources = [...(plan.sources ?? []), ...nb.sourceNames(args)];
    },
  },
  {
    name: 'workspace',
    usage: '%workspace',
    help: 'Lists the files in the session workspace with their sizes.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addCommand(plan, 'workspace', args);
    },
  },
  {
    name: 'rm',
    usage: '%rm NAME…',
    help: 'Removes files from the session workspace.',
    parse(args, _rest, plan) {
      needSome(args);
      nb.addCommand(plan, 'rm', nb.fileNames(args));
    },
  },
  {
    name: 'resources',
    usage: '%resources',
    help: "Prints each kernel's registers, shared memory, stack and spills as the cell compiles, then runs it.",
    parse(args, _rest, plan) {
      nb.noArgs(args);
      plan.resources = true;
    },
  },
  {
    name: 'time',
    usage: '%time',
    help: 'After the cell, one line with its compile time and run time.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      plan.time = true;
    },
  },
  {
    name: 'bench',
    usage: BENCH_USAGE,
    help:
      'Times the cell: warm-up (default 1), then runs until the noise (relative standard deviation) is under --rsd (default 2 %) ' +
      'or --budget seconds (default 5) are spent, between --min (10) and --max (1000) runs; -n RUNS runs exactly that many. ' +
      'A session cell is timed on the GPU (CUDA events) in the session; a program cell by its process wall time. ' +
      '--bytes/--flops EXPR give the work per run (bandwidth, throughput); --cold flushes the L2 cache first; ' +
      '--name and --group NAME collect results into one comparison chart.',
    parse(args, _rest, plan) {
      nb.setMode(plan, nb.parseBench(args));
    },
  },
  {
    name: 'profile',
    usage: '%profile [ncu|nsys] [ARGS…]',
    help: 'Runs the program under Nsight Compute (default) or Nsight Systems; shows a kernel table and keeps the report in the workspace. Cells with main() only.',
    parse(args, _rest, plan) {
      nb.setMode(plan, nb.parseProfile(args));
    },
  },
  {
    name: 'sanitize',
    usage: '%sanitize [memcheck|racecheck|initcheck|synccheck]',
    help: 'Runs the program under compute-sanitizer (default memcheck); the cell fails when it finds errors. Cells with main() only.',
    parse(args, _rest, plan) {
      nb.setMode(plan, nb.parseSanitize(args));
    },
  },
  {
    name: 'reset',
    usage: '%reset',
    help: 'A fresh session: the runner ends, and what session cells (cells without main) defined is gone.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addSessionCommand(plan, 'reset');
    },
  },
  {
    name: 'replay',
    usage: '%replay',
    help: 'A fresh session, then the session cells that completed since the session began run again, in order (not the one that crashed it).',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addSessionCommand(plan, 'replay');
    },
  },
  {
    name: 'vars',
    usage: '%vars',
    help: "Lists the names session cells defined: kind, type, defining cell; for pointers, whether they hold device memory and the allocation's size.",
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addSessionCommand(plan, 'vars');
    },
  },
  {
    name: 'gpuinfo',
    usage: '%gpuinfo',
    help: 'Shows each GPU, the CUDA toolchain and the arch icuda compiles for, as a table.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addCommand(plan, 'gpuinfo', args);
    },
  },
  {
    name: 'lsmagic',
    usage: '%lsmagic',
    help: 'Lists every magic.',
    parse(args, _rest, plan) {
      nb.noArgs(args);
      nb.addCommand(plan, 'lsmagic', args);
    },
  },
  {
    name: 'help',
    usage: '%help [MAGIC]',
    help: 'Explains one magic, or lists them all.',
    parse(args, _rest, plan) {
      nb.addCommand(plan, 'help', nb.atMostOne(args));
    },
  },
];

/** Finds a magic by name (without the `%`). */
export function findMagic(name: string): Magic | undefined {
  return MAGICS.find((magic) => magic.name === name);
}

/** The text after `%` or `//%` when a line is a magic line, else undefined. */
export function magicText(line: string): string | undefined {
  const match = /^\s*(?:\/\/)?%(.*)$/.exec(line);
  return match ? match[1].trim() : undefined;
}

/** Parses the leading magic lines of a cell; throws MagicError naming the bad line. */
export function parseCell(code: string): Plan {
  const lines = code.split('\n');
  const plan: Plan = { flags: [], args: [], env: {}, keep: false, source: '', hasCode: false };
  for (let i = 0; i < lines.length; i++) {
    const text = magicText(lines[i]);
    if (text === undefined && lines[i].trim() !== '') break;
    if (text === undefined) continue;
    parseMagicLine(text, i + 1, plan);
    lines[i] = '';
    if (plan.cellMagic) {
      nb.takeBody(plan.cellMagic, lines, i);
      break;
    }
  }
  plan.source = lines.join('\n');
  plan.hasCode = plan.source.trim() !== '';
  return plan;
}

/** Parses one magic line's text (after the `%`) into the plan. */
function parseMagicLine(text: string, lineNo: number, plan: Plan): void {
  const name = /^\S*/.exec(text)![0];
  const magic = MAGICS.find((m) => `${m.cell ? '%' : ''}${m.name}` === name);
  if (!magic) {
    const known = MAGICS.map((m) => `%${m.cell ? '%' : ''}${m.name}`);
    const near = closestName(`%${name}`, known);
    throw new MagicError(`line ${lineNo}: unknown magic %${name}${near ? `; did you mean ${near}?` : ''} (known: ${known.join(', ')})`);
  }
  const rest = text.slice(name.length).trim();
  try {
    magic.parse(magic.name === 'env' ? [] : split(rest), rest, plan);
  } catch (error) {
    throw new MagicError(`line ${lineNo}: %${name}: ${(error as Error).message} (usage: ${magic.usage})`);
  }
}

/** Rejects any argument. */
function noArgs(args: string[]): void {
  if (args.length > 0) throw new Error('takes no arguments');
}

/** One size in bytes: 1000, 512K, 10M, 1G (powers of 1024); 0 allowed. */
export function parseSize(args: string[]): number {
  const bytes = args.length === 1 ? bytesFrom(args[0]) : undefined;
  if (bytes === undefined) throw new Error(`expected one size such as 4M, 512K or 0, got ${JSON.stringify(args.join(' '))}`);
  return bytes;
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
    return words.length === 1 ? words[0] : raw;
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
