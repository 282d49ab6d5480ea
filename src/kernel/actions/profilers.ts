// %profile (Nsight Compute, Nsight Systems) and %sanitize (compute-sanitizer): the program run
// under the tool, its output shown live, then a summary table, a kept report, or the findings.
import { join } from 'node:path';
import { execa } from 'execa';
import type { ErrorOutcome, ExecuteOutcome, OutputSink } from '../../protocol/interpreter.js';
import { htmlTable, textTable } from './tables.js';
import { errorOutcome } from '../../engine/errors.js';
import type { RunMode } from '../magics/plan.js';
import { findTool, type ToolEnv } from '../../engine/toolchain/tools.js';

/** Runs `binary args…` with its output going to `output`. */
export type RunWith = (binary: string, args: string[], output: OutputSink) => Promise<ExecuteOutcome>;

export interface ToolRun {
  program: string;
  args: string[];
  tools: ToolEnv;
  nvcc: string;
  /** The workspace, where profiler reports are kept. */
  workspace: string;
  executionCount: number;
  output: OutputSink;
  runWith: RunWith;
}

const INSTALL: Record<string, string> = {
  ncu: 'Nsight Compute (ncu): install the CUDA toolkit package cuda-nsight-compute, or Nsight Compute from developer.nvidia.com/nsight-compute',
  nsys: 'Nsight Systems (nsys): install the CUDA toolkit package cuda-nsight-systems, or Nsight Systems from developer.nvidia.com/nsight-systems',
  'compute-sanitizer': 'compute-sanitizer: install the CUDA toolkit package cuda-sanitizer',
};

/** The clear error for a missing tool, naming what to install. */
export function toolMissing(tool: string): ErrorOutcome {
  return errorOutcome('ToolNotFound', `${tool} not found on PATH, in $CUDA_HOME/bin or beside nvcc; needs ${INSTALL[tool] ?? tool}`);
}

/** The clear error when the profiler may not read the GPU's counters. */
export function counterPermission(tool: string): ErrorOutcome {
  const evalue = `${tool} may not read the GPU performance counters (ERR_NVGPUCTRPERM)`;
  return errorOutcome('ProfilerPermission', evalue, [
    `ProfilerPermission: ${evalue}`,
    'fix: in a container, run it with --cap-add SYS_ADMIN;',
    '     on the host, let non-admin users profile: options nvidia NVreg_RestrictProfilingToAdminUsers=0',
    '     (in /etc/modprobe.d/, then reload the nvidia module or reboot); see developer.nvidia.com/ERR_NVGPUCTRPERM',
  ]);
}

/** A sink that also keeps everything streamed to it. */
function tee(output: OutputSink): [OutputSink, () => string] {
  let text = '';
  return [
    {
      ...output,
      stream: (name, chunk) => {
        text += chunk;
        output.stream(name, chunk);
      },
      flush: () => output.flush(),
    },
    () => text,
  ];
}

/** %profile: the program under ncu or nsys, then a kernel table from the kept report. */
export async function profile(mode: RunMode & { kind: 'profile' }, run: ToolRun): Promise<ExecuteOutcome> {
  const tool = await findTool(mode.tool, run.tools.places, run.nvcc);
  if (!tool) return toolMissing(mode.tool);
  const report = join(run.workspace, `profile-${run.executionCount}`);
  const args = mode.tool === 'ncu' ? ['--force-overwrite', '-o', report] : ['profile', '--force-overwrite', 'true', '-o', report];
  const [sink, seen] = tee(run.output);
  const outcome = await run.runWith(tool, [...args, ...mode.args, run.program, ...run.args], sink);
  if (seen().includes('ERR_NVGPUCTRPERM')) return counterPermission(mode.tool);
  if (outcome.status === 'error') return outcome;
  const file = `${report}.${mode.tool === 'ncu' ? 'ncu-rep' : 'nsys-rep'}`;
  const statsArgs =
    mode.tool === 'ncu'
      ? ['--import', file, '--csv', '--page', 'details']
      : ['stats', '--force-export=true', '--report', 'cuda_gpu_kern_sum', '--format', 'csv', file];
  const stats = await execa(tool, statsArgs, { env: run.tools.env, extendEnv: false, reject: false, stdin: 'ignore', timeout: 300_000 });
  if (stats.exitCode !== 0)
    return errorOutcome('ProfilerError', `${mode.tool} could not read its report ${file}`, String(stats.stderr ?? '').split('\n'));
  const [head, rows] = mode.tool === 'ncu' ? ncuKernels(String(stats.stdout)) : nsysKernels(String(stats.stdout));
  const caption = `${mode.tool}: ${rows.length} kernel${rows.length === 1 ? '' : 's'}; full report kept in the workspace as ${file.slice(run.workspace.length + 1)} (${file})`;
  run.output.display({ 'text/plain': `${caption}\n${textTable(head, rows)}`, 'text/html': htmlTable(caption, head, rows) });
  return { status: 'ok' };
}

/** %sanitize: the program under compute-sanitizer; the cell fails when it reports errors. */
export async function sanitize(mode: RunMode & { kind: 'sanitize' }, run: ToolRun): Promise<ExecuteOutcome> {
  const tool = await findTool('compute-sanitizer', run.tools.places, run.nvcc);
  if (!tool) return toolMissing('compute-sanitizer');
  const [sink, seen] = tee(run.output);
  const outcome = await run.runWith(tool, ['--tool', mode.tool, run.program, ...run.args], sink);
  const summary = /=+ ERROR SUMMARY: (\d+) errors?/.exec(seen());
  const count = Number(summary?.[1] ?? 0);
  if (count === 0) return outcome;
  const findings = seen()
    .split('\n')
    .filter((line) => line.startsWith('=========') && line.replace(/=+/, '').trim() !== '');
  return errorOutcome('SanitizerError', `${mode.tool}: ${summary![0].replace(/^=+\s*/, '')}`, findings);
}

/** Rows of a CSV text (quoted fields, "" escapes); lines before `headerTest` matches are skipped. */
export function parseCsv(text: string, headerTest: (row: string[]) => boolean): string[][] {
  const rows = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map(csvFields);
  const start = rows.findIndex(headerTest);
  return start < 0 ? [] : rows.slice(start);
}

/** The fields of one CSV line. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  const pattern = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/g;
  let m: RegExpExecArray | null;
  while (pattern.lastIndex < line.length && (m = pattern.exec(line))) {
    fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].trim());
    if (m[0] === '') break;
  }
  return fields;
}

const NCU_METRICS = ['Duration', 'Compute (SM) Throughput', 'Memory Throughput', 'Registers Per Thread', 'Achieved Occupancy'];

/** ncu --csv --page details: one row per kernel launch with its duration and key metrics. */
export function ncuKernels(csv: string): [string[], string[][]] {
  const [header, ...rows] = parseCsv(csv, (row) => row.includes('Kernel Name') && row.includes('Metric Name'));
  const head = ['ID', 'kernel', 'grid', 'block', ...NCU_METRICS];
  if (!header) return [head, []];
  const col = (name: string) => header.indexOf(name);
  const launches = new Map<string, string[]>();
  for (const row of rows) {
    const id = row[col('ID')] ?? '';
    if (!launches.has(id))
      launches.set(id, [
        id,
        row[col('Kernel Name')] ?? '',
        row[col('Grid Size')] ?? '',
        row[col('Block Size')] ?? '',
        ...NCU_METRICS.map(() => ''),
      ]);
    const at = NCU_METRICS.indexOf(row[col('Metric Name')] ?? '');
    if (at >= 0) launches.get(id)![4 + at] = `${row[col('Metric Value')] ?? ''} ${row[col('Metric Unit')] ?? ''}`.trim();
  }
  return [head, [...launches.values()]];
}

/** nsys stats cuda_gpu_kern_sum: one row per kernel with its time share, instances and times. */
export function nsysKernels(csv: string): [string[], string[][]] {
  const [header, ...rows] = parseCsv(csv, (row) => row.includes('Name') && row.some((f) => f.startsWith('Time')));
  const wanted = ['Name', 'Time (%)', 'Instances', 'Total Time (ns)', 'Avg (ns)', 'Min (ns)', 'Max (ns)'];
  if (!header) return [wanted, []];
  return [wanted, rows.map((row) => wanted.map((name) => row[header.indexOf(name)] ?? ''))];
}
