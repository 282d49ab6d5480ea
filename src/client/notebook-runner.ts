// Executes a notebook's code cells in order through a KernelSession, the way nbclient does:
// outputs and execution_count replaced, timing recorded in metadata.execution, a failing cell
// stops the run unless errors are allowed or the cell is tagged "raises-exception".
import type { Message } from '../protocol/messages.js';
import type { KernelSession } from './kernel-session.js';
import { OutputCollector, type Output } from './outputs.js';

export interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: Output[];
  execution_count?: number | null;
  [field: string]: unknown;
}

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export type CellStatus = 'ok' | 'error' | 'allowed-error' | 'timeout' | 'skipped';

export interface CellReport {
  index: number;
  status: CellStatus;
  seconds: number;
  ename?: string;
}

export interface RunHooks {
  /** Hears each output message of the cell at `index` as it arrives. */
  onOutput(index: number, msg: Message, added: Output | undefined): void;
  /** Hears the end of each code cell. */
  onCell(report: CellReport, total: number): void;
}

export interface RunOptions {
  timeoutS?: number;
  allowErrors: boolean;
}

/** Runs every code cell; answers one report per code cell (cells after a failure are 'skipped'). */
export async function runNotebook(nb: Notebook, session: KernelSession, options: RunOptions, hooks: RunHooks): Promise<CellReport[]> {
  const info = (session.kernelInfo.content as { language_info?: unknown }).language_info;
  if (info) nb.metadata.language_info = info;
  const codeCells = nb.cells.map((cell, index) => ({ cell, index })).filter(({ cell }) => cell.cell_type === 'code');
  const reports: CellReport[] = [];
  let stopped = false;
  for (const { cell, index } of codeCells) {
    if (stopped) {
      reports.push({ index, status: 'skipped', seconds: 0 });
      continue;
    }
    const report = await runCell(cell, index, session, options, hooks);
    reports.push(report);
    hooks.onCell(report, nb.cells.length);
    if (report.status === 'error' || report.status === 'timeout') stopped = true;
  }
  // As the kernel says it now: the first reply came before the kernel had asked nvcc its version.
  const now = await session.askKernelInfo().catch(() => session.kernelInfo);
  const latest = (now.content as { language_info?: unknown }).language_info;
  if (latest) nb.metadata.language_info = latest;
  return reports;
}

/** Executes one code cell, replacing its outputs, execution_count and timing metadata. */
async function runCell(cell: Cell, index: number, session: KernelSession, options: RunOptions, hooks: RunHooks): Promise<CellReport> {
  const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
  const allowed = options.allowErrors || (cell.metadata.tags ?? []).includes('raises-exception');
  const collector = new OutputCollector();
  cell.outputs = collector.outputs;
  cell.execution_count = null;
  const started = Date.now();
  const timeoutMs = options.timeoutS === undefined ? undefined : options.timeoutS * 1000;
  const ex = await session.execute(code, (msg) => hooks.onOutput(index, msg, collector.take(msg)), timeoutMs, !allowed);
  const content = ex.reply.content as { status?: string; execution_count?: number; ename?: string };
  if (typeof content.execution_count === 'number') cell.execution_count = content.execution_count;
  cell.metadata = { ...cell.metadata, execution: ex.timing };
  const seconds = (Date.now() - started) / 1000;
  if (content.status === 'ok') return { index, status: 'ok', seconds };
  const ename = content.ename;
  if (ex.timedOut) return { index, status: allowed ? 'allowed-error' : 'timeout', seconds, ename: 'TimeoutError' };
  return { index, status: allowed ? 'allowed-error' : 'error', seconds, ...(ename ? { ename } : {}) };
}
