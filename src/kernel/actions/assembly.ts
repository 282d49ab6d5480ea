// What the compiler made: PTX (%%ptx), SASS (%%sass) and the per-kernel resource summary that
// ptxas prints with -v (%resources, and both assembly views).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ExecuteOutcome, OutputSink } from '../../protocol/interpreter.js';
import { errorOutcome } from '../../engine/errors.js';
import { findTool, type ToolEnv } from '../../engine/toolchain/tools.js';

/** One kernel's resources as ptxas reported them. */
export interface KernelResources {
  name: string;
  arch: string;
  registers: number;
  sharedBytes: number;
  stackBytes: number;
  spillStores: number;
  spillLoads: number;
}

const PTXAS_LINE = /^ptxas info\s*:|^\s+\d+ bytes stack frame/;

/** The kernels (entry functions) in `ptxas -v` output, in order. */
export function parseResources(text: string): KernelResources[] {
  const kernels: KernelResources[] = [];
  const props = new Map<string, [number, number, number]>();
  let current: KernelResources | undefined;
  let propsFor: string | undefined;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /Compiling entry function '([^']+)' for '([^']+)'/.exec(line))) {
      current = { name: m[1], arch: m[2], registers: 0, sharedBytes: 0, stackBytes: 0, spillStores: 0, spillLoads: 0 };
      kernels.push(current);
    } else if ((m = /Function properties for (\S+)/.exec(line))) {
      propsFor = m[1]!;
    } else if ((m = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line)) && propsFor) {
      props.set(propsFor, [Number(m[1]), Number(m[2]), Number(m[3])]);
    } else if ((m = /Used (\d+) registers/.exec(line)) && current) {
      current.registers = Number(m[1]);
      current.sharedBytes = Number(/(\d+) bytes smem/.exec(line)?.[1] ?? 0);
    }
  }
  for (const k of kernels) [k.stackBytes, k.spillStores, k.spillLoads] = props.get(k.name) ?? [0, 0, 0];
  return kernels;
}

/** nvcc's output without ptxas's -v report. */
export function withoutResourceLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !PTXAS_LINE.test(line))
    .join('\n')
    .trim();
}

/** One line per kernel: "add(float*, int) [sm_75]: 10 registers, 256 B shared, 0 B stack, 0 B spill stores, 0 B spill loads". */
export function formatResources(kernels: KernelResources[], names: Map<string, string> = new Map()): string {
  if (kernels.length === 0) return 'resources: no kernels in this cell\n';
  return (
    kernels
      .map(
        (k) =>
          `${names.get(k.name) ?? k.name} [${k.arch}]: ${k.registers} registers, ${k.sharedBytes} B shared, ` +
          `${k.stackBytes} B stack, ${k.spillStores} B spill stores, ${k.spillLoads} B spill loads`,
      )
      .join('\n') + '\n'
  );
}

/** Demangled names for C++ symbols through c++filt, when there is one; else none. */
export async function demangle(symbols: string[], tools: ToolEnv): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const mangled = [...new Set(symbols.filter((s) => s.startsWith('_Z')))];
  const filt = mangled.length > 0 ? await findTool('c++filt', tools.places) : undefined;
  if (!filt) return names;
  const result = await execa(filt, mangled, { env: tools.env, extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
  const lines = String(result.stdout ?? '').split('\n');
  if (result.exitCode === 0 && lines.length === mangled.length) mangled.forEach((s, i) => names.set(s, lines[i]));
  return names;
}

/** Prints the resource summary found in nvcc's output; answers that output without it. */
export async function reportResources(text: string, output: OutputSink, tools: ToolEnv, prefix = ''): Promise<string> {
  const kernels = parseResources(text);
  const names = await demangle(
    kernels.map((k) => k.name),
    tools,
  );
  const lines = formatResources(kernels, names).trimEnd().split('\n');
  output.stream('stdout', lines.map((line) => prefix + line).join('\n') + '\n');
  return withoutResourceLines(text);
}

/** The nvcc arguments that make cell.cubin and keep cell.ptx, with ptxas's report. */
export const ASSEMBLY_OUTPUT = ['-cubin', '-o', 'cell.cubin'];
export const ASSEMBLY_FLAGS = ['-keep', '-Xptxas', '-v'];

/** %%ptx: the kept PTX, as plain text. */
export async function showPtx(dir: string, output: OutputSink): Promise<ExecuteOutcome> {
  output.stream('stdout', await readFile(join(dir, 'cell.ptx'), 'utf8'));
  return { status: 'ok' };
}

/** %%sass: cuobjdump -sass (or nvdisasm) on cell.cubin; a clear error when neither is installed. */
export async function showSass(
  dir: string,
  output: OutputSink,
  tools: ToolEnv,
  nvcc: string,
  signal: AbortSignal,
): Promise<ExecuteOutcome> {
  const cuobjdump = await findTool('cuobjdump', tools.places, nvcc);
  const tool = cuobjdump ?? (await findTool('nvdisasm', tools.places, nvcc));
  if (!tool) {
    return errorOutcome(
      'ToolNotFound',
      '%%sass needs cuobjdump or nvdisasm (CUDA toolkit packages cuda-cuobjdump or cuda-nvdisasm); ' +
        'neither is on PATH, in $CUDA_HOME/bin or beside nvcc',
    );
  }
  const args = cuobjdump ? ['-sass', 'cell.cubin'] : ['cell.cubin'];
  const result = await execa(tool, args, {
    cwd: dir,
    env: tools.env,
    extendEnv: false,
    reject: false,
    all: true,
    stdin: 'ignore',
    cancelSignal: signal,
    timeout: 120_000,
  });
  const text = String(result.all ?? '');
  if (result.exitCode !== 0)
    return errorOutcome('ToolError', `${tool} ${args.join(' ')} failed (${result.exitCode ?? result.signal})`, text.split('\n'));
  output.stream('stdout', text.endsWith('\n') ? text : text + '\n');
  return { status: 'ok' };
}
