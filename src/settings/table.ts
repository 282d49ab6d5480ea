// The table of every setting icuda reads from its environment: variable, parser (a valibot
// schema), default and meaning. settings.ts reads them; nothing else in icuda reads the
// environment.
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { bytesFrom } from '../units.js';

/** An environment as Node gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One setting: where it comes from, how it is parsed, its default, what it means. */
export interface Definition<T> {
  variable: string;
  /** Parses a non-empty value; a failure means the value is invalid. */
  schema: v.GenericSchema<string, T>;
  /** What a valid value looks like, for messages ("a number of seconds above 0"). */
  expects: string;
  /** The default, given the whole environment (some defaults derive from HOME and friends). */
  fallback: (env: Env) => T;
  /** The default as the help shows it. */
  shown: string;
  meaning: string;
  /** Whether an empty value means something (else empty is the same as unset). */
  emptyIsAValue?: boolean;
  /** 'error' where guessing would be wrong (a misspelt executor must not silently run locally). */
  invalid?: 'warn' | 'error';
}

/** A definition with its value type inferred. */
const define = <T>(d: Definition<T>): Definition<T> => d;

const GiB = 1024 ** 3;
const numeric = v.pipe(v.string(), v.trim(), v.nonEmpty(), v.transform(Number), v.number(), v.finite());
const seconds = v.pipe(numeric, v.gtValue(0));
const secondsOrZero = v.pipe(numeric, v.minValue(0));
const count = v.pipe(numeric, v.integer(), v.minValue(0));
const size = v.pipe(v.string(), v.transform(bytesFrom), v.number());
const text = v.pipe(v.string(), v.trim(), v.nonEmpty());
const none = () => undefined;
/** A schema whose setting may also be absent (its value type then includes undefined). */
const optional = <T>(schema: v.GenericSchema<string, T>) => schema as v.GenericSchema<string, T | undefined>;

/** The table, keyed by the name the code uses. */
export const DEFINITIONS = {
  logLevel: define<LogLevel | undefined>({
    variable: 'ICUDA_LOG_LEVEL',
    schema: optional(v.picklist(LOG_LEVELS)),
    expects: LOG_LEVELS.join(', '),
    fallback: none,
    shown: 'warn (icuda host: info)',
    meaning: 'Level of the log on stderr (pino JSON lines; the connection key is redacted).',
  }),
  timeoutS: define<number | undefined>({
    variable: 'ICUDA_TIMEOUT',
    schema: optional(seconds),
    expects: 'a number of seconds above 0',
    fallback: none,
    shown: 'none',
    meaning: "Wall-clock limit of every cell, in seconds (%timeout sets one cell's).",
  }),
  compileTimeoutS: define({
    variable: 'ICUDA_COMPILE_TIMEOUT',
    schema: secondsOrZero,
    expects: 'a number of seconds (0: none)',
    fallback: () => 300,
    shown: '300',
    meaning: 'nvcc is killed after this many seconds (0: never).',
  }),
  maxFileSize: define({
    variable: 'ICUDA_MAX_FILE_SIZE',
    schema: size,
    expects: 'a size such as 2G, 512M or 0 (none)',
    fallback: () => 2 * GiB,
    shown: '2G',
    meaning: 'Largest file a program may write (it gets SIGXFSZ past it); 0 for no limit.',
  }),
  maxProcesses: define({
    variable: 'ICUDA_MAX_PROCESSES',
    schema: count,
    expects: 'a whole number (0: no limit)',
    fallback: () => 4096,
    shown: '4096',
    meaning: "Most processes the user may have while a cell's program runs; 0 for no limit.",
  }),
  outputLimit: define({
    variable: 'ICUDA_OUTPUT_LIMIT',
    schema: size,
    expects: 'a size such as 4M, 512K or 0 (none)',
    fallback: () => 4 * 1024 ** 2,
    shown: '4M',
    meaning: "Output of a cell shown in the notebook; the rest goes to a file (%output_limit sets one cell's).",
  }),
  cacheDir: define({
    variable: 'ICUDA_CACHE_DIR',
    schema: text,
    expects: 'a directory',
    fallback: (env) => join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'icuda'),
    shown: '$XDG_CACHE_HOME/icuda, else ~/.cache/icuda',
    meaning: 'The compile cache.',
  }),
  cacheMaxBytes: define({
    variable: 'ICUDA_CACHE_MAX_BYTES',
    schema: size,
    expects: 'a size such as 2G or 500M',
    fallback: () => 2 * GiB,
    shown: '2G',
    meaning: 'Size cap of the compile cache; the least recently used entries go first.',
  }),
  gpuArch: define<string | undefined>({
    variable: 'ICUDA_GPU_ARCH',
    schema: optional(
      v.pipe(
        v.string(),
        v.trim(),
        v.regex(/^((sm|compute)_\d+[af]?|native)?$/),
        v.transform((a) => (a === 'native' ? '' : a)),
      ),
    ),
    expects: 'sm_XY, compute_XY, native or empty (native)',
    fallback: none,
    shown: "the GPU's, asked of nvidia-smi",
    meaning: 'The arch cells compile for when their flags choose none; native or empty: nvcc -arch=native.',
    emptyIsAValue: true,
  }),
  history: define<string | undefined>({
    variable: 'ICUDA_HISTORY',
    schema: optional(
      v.pipe(
        text,
        v.transform((t) => (t === 'off' ? undefined : t)),
      ),
    ),
    expects: 'a file path or off',
    fallback: (env) =>
      env.JUPYTER_DATA_DIR || env.XDG_DATA_HOME || env.HOME
        ? join(env.JUPYTER_DATA_DIR || env.XDG_DATA_HOME || join(env.HOME!, '.local', 'share'), 'icuda', 'history.jsonl')
        : undefined,
    shown: '$JUPYTER_DATA_DIR/icuda/history.jsonl (else $XDG_DATA_HOME, ~/.local/share)',
    meaning: 'Where executed cells are kept for history requests; off keeps them in memory.',
  }),
  executor: define<'local' | 'remote' | 'slurm'>({
    variable: 'ICUDA_EXECUTOR',
    schema: v.picklist(['local', 'remote', 'slurm']),
    expects: 'local, remote or slurm',
    fallback: () => 'local',
    shown: 'local',
    meaning: 'Where cells run: this machine, a GPU host (icuda host) or a Slurm cluster.',
    invalid: 'error',
  }),
  host: define<string | undefined>({
    variable: 'ICUDA_HOST',
    schema: optional(v.pipe(v.string(), v.trim(), v.regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/))),
    expects: 'HOST:PORT',
    fallback: none,
    shown: 'none',
    meaning: 'The GPU host of the remote executor.',
    invalid: 'error',
  }),
  tokenFile: define<string | undefined>({
    variable: 'ICUDA_TOKEN_FILE',
    schema: optional(text),
    expects: 'a file',
    fallback: none,
    shown: 'none',
    meaning: 'File holding the bearer token for the GPU host.',
  }),
  tlsCa: define<string | undefined>({
    variable: 'ICUDA_TLS_CA',
    schema: optional(text),
    expects: 'a PEM file',
    fallback: none,
    shown: 'none',
    meaning: "CA certificate that signed the GPU host's (turns TLS on).",
  }),
  tlsCert: define<string | undefined>({
    variable: 'ICUDA_TLS_CERT',
    schema: optional(text),
    expects: 'a PEM file',
    fallback: none,
    shown: 'none',
    meaning: 'Client certificate, for a host that asks for one (mTLS).',
  }),
  tlsKey: define<string | undefined>({
    variable: 'ICUDA_TLS_KEY',
    schema: optional(text),
    expects: 'a PEM file',
    fallback: none,
    shown: 'none',
    meaning: "The client certificate's key.",
  }),
  tls: define<'on' | 'off' | 'auto'>({
    variable: 'ICUDA_TLS',
    schema: v.picklist(['on', 'off', 'auto']),
    expects: 'on, off or auto',
    fallback: () => 'auto',
    shown: 'auto',
    meaning: 'TLS to the GPU host; auto: on unless the host is loopback without ICUDA_TLS_CA.',
    invalid: 'error',
  }),
  slurmArgs: define({
    variable: 'ICUDA_SLURM_ARGS',
    schema: v.string(),
    expects: 'srun options',
    fallback: () => '',
    shown: 'none',
    meaning: 'srun options of the Slurm executor, shell-quoted ("-p gpu --gres=gpu:1").',
  }),
  slurmScratch: define<string | undefined>({
    variable: 'ICUDA_SLURM_SCRATCH',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: 'the temp dir',
    meaning: "A directory every Slurm node sees, for the cells' files.",
  }),
  nvcc: define<string | undefined>({
    variable: 'NVCC',
    schema: optional(text),
    expects: 'a path',
    fallback: none,
    shown: 'none',
    meaning: 'The nvcc to use (looked for first).',
  }),
  cudaHome: define<string | undefined>({
    variable: 'CUDA_HOME',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: 'none',
    meaning: 'A CUDA installation: nvcc and tools in its bin/ (then CUDA_PATH, PATH, /usr/local/cuda).',
  }),
  cudaPath: define<string | undefined>({
    variable: 'CUDA_PATH',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: 'none',
    meaning: 'The same as CUDA_HOME, looked at after it.',
  }),
  path: define({
    variable: 'PATH',
    schema: v.string(),
    expects: 'a search path',
    fallback: () => '',
    shown: '',
    meaning: 'Searched for nvcc, the CUDA tools and jupyter.',
  }),
  tmpdir: define({
    variable: 'TMPDIR',
    schema: text,
    expects: 'a directory',
    fallback: () => tmpdir(),
    shown: 'the OS temp dir',
    meaning: "Where each kernel's scratch directory goes.",
  }),
  jupyterDataDir: define<string | undefined>({
    variable: 'JUPYTER_DATA_DIR',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: "Jupyter's",
    meaning: 'Where icuda install --user puts the kernelspec; the history lives below it.',
  }),
  xdgDataHome: define<string | undefined>({
    variable: 'XDG_DATA_HOME',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: '~/.local/share',
    meaning: "The user's data directory (Jupyter's and icuda's history live below it).",
  }),
  home: define({
    variable: 'HOME',
    schema: text,
    expects: 'a directory',
    fallback: () => homedir(),
    shown: "the account's",
    meaning: 'Home directory, for the defaults above.',
  }),
  virtualEnv: define<string | undefined>({
    variable: 'VIRTUAL_ENV',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: 'none',
    meaning: 'The active venv: icuda install --sys-prefix writes there.',
  }),
  condaPrefix: define<string | undefined>({
    variable: 'CONDA_PREFIX',
    schema: optional(text),
    expects: 'a directory',
    fallback: none,
    shown: 'none',
    meaning: 'The active conda env, when no venv is active.',
  }),
};
