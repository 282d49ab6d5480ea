// `icuda run NOTEBOOK.ipynb [-o OUT.ipynb] [--timeout S] [--allow-errors]`: execute a notebook
// headless through a real icuda kernel (no Python, no Jupyter), echo its output as it streams,
// write the executed notebook (default NAME.nbconvert.ipynb, as `jupyter nbconvert --execute`).
import { basename, dirname, join } from 'node:path';
import { KernelSession } from '../client/kernel-session.js';
import { readNotebook, serializeNotebook, writeNotebook } from '../client/notebook-file.js';
import { runNotebook, type CellReport } from '../client/notebook-runner.js';
import type { IopubContent, Output } from '../client/outputs.js';
import type { Message } from '../protocol/messages.js';
import { recordMachine } from '../engine/gpu/environment.js';
import { packageVersion } from '../package-info.js';
import { toolPlaces, type Settings } from '../settings/settings.js';
import type { RunOptions } from './options.js';

/** Runs a notebook; 0 when every cell passed (or its failure was allowed), 1 when one failed. */
export async function run(options: RunOptions, settings: Settings): Promise<number> {
  if (options.args.length !== 1) throw new Error('run needs exactly one NOTEBOOK.ipynb');
  const [input] = options.args as [string];
  const timeoutS = options.timeout;
  const output = options.output ?? defaultOutput(input);
  const toStdout = output === '-';
  const echo = toStdout ? process.stderr : process.stdout;
  const nb = await readNotebook(input);
  const session = await KernelSession.start(settings.env, settings.tmpdir); // the kernel inherits our environment
  // The kernel lives in its own process group, so Ctrl+C reaches only us: stop it, then leave.
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nicuda run: ${signal}, shutting the kernel down\n`);
    void session.shutdown().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let reports: CellReport[];
  try {
    reports = await runNotebook(
      nb,
      session,
      { timeoutS, allowErrors: options.allowErrors },
      {
        onOutput: (_index, msg, added) => echoOutput(msg, added, echo),
        onCell: (r, total) => process.stderr.write(progressLine(r, total)),
      },
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await session.shutdown();
  }
  // The machine the notebook ran on, for whoever reads or compares its results later.
  nb.metadata.icuda = { machine: await recordMachine(toolPlaces(settings), settings.env), icuda_version: packageVersion };
  if (toStdout) process.stdout.write(serializeNotebook(nb));
  else await writeNotebook(output, nb);
  const count = (status: string) => reports.filter((r) => r.status === status).length;
  const failed = count('error') + count('timeout');
  const parts = [`${count('ok')}/${reports.length} code cells ok`];
  if (count('allowed-error')) parts.push(`${count('allowed-error')} failed as allowed`);
  if (failed) parts.push(`${failed} failed`);
  if (count('skipped')) parts.push(`${count('skipped')} not run after the failure`);
  process.stderr.write(`icuda run: ${parts.join(', ')}${toStdout ? '' : `; wrote ${output}`}\n`);
  return failed > 0 ? 1 : 0;
}

/** nbconvert's default: NAME.nbconvert.ipynb next to the input. */
function defaultOutput(input: string): string {
  return join(dirname(input), basename(input).replace(/\.ipynb$/, '') + '.nbconvert.ipynb');
}

/** One line per cell: its index, how it ended, how long it took. */
function progressLine(r: CellReport, total: number): string {
  const what = {
    ok: 'ok',
    error: `failed (${r.ename ?? 'error'})`,
    'allowed-error': `failed as allowed (${r.ename ?? 'error'})`,
    timeout: 'timed out, interrupted',
    skipped: 'skipped',
  }[r.status];
  return `[cell ${r.index + 1}/${total}] ${what} in ${r.seconds.toFixed(2)} s\n`;
}

/** Prints one output message to the terminal as it arrives. */
function echoOutput(msg: Message, added: Output | undefined, out: NodeJS.WritableStream): void {
  const c = msg.content as IopubContent;
  switch (msg.header.msg_type) {
    case 'stream':
      (c.name === 'stderr' ? process.stderr : out).write(c.text ?? '');
      return;
    case 'error':
      process.stderr.write((c.traceback?.length ? c.traceback.join('\n') : `${c.ename}: ${c.evalue}`) + '\n');
      return;
    case 'display_data':
    case 'execute_result': {
      if (!added) return;
      const plain = c.data?.['text/plain'];
      out.write(typeof plain === 'string' ? plain.replace(/\n?$/, '\n') : `[${Object.keys(c.data ?? {}).join(', ')}]\n`);
    }
  }
}
