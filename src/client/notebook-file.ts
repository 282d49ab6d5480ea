// Reads and writes .ipynb files as nbformat does: nbformat 4 checked on read; on write, keys
// sorted, one-space indent, multi-line strings (sources, stream text, text mime data) split into
// lists of lines, and a final newline.
import { readFile, writeFile } from 'node:fs/promises';
import type { Notebook } from './notebook-runner.js';
import type { Output } from './outputs.js';

/** Reads a notebook, refusing anything that is not nbformat 4. */
export async function readNotebook(path: string): Promise<Notebook> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a notebook' : (cause as Error).message;
    throw new Error(`${path}: ${why}${code === 'ENOENT' ? ' (check the path; icuda run takes one .ipynb file)' : ''}`, { cause });
  }
  let nb: Notebook;
  try {
    nb = JSON.parse(text) as Notebook;
  } catch (cause) {
    throw new Error(`${path} is not a notebook: it is not JSON (${(cause as Error).message})`, { cause });
  }
  if (nb?.nbformat !== 4 || !Array.isArray(nb.cells))
    throw new Error(`${path}: only nbformat 4 notebooks can be run (nbformat is ${JSON.stringify(nb?.nbformat)})`);
  nb.metadata ??= {};
  return nb;
}

/** The text of a notebook as nbformat writes it. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(splitMultiline(nb)), null, 1) + '\n';
}

/** Writes the notebook to `path`. */
export async function writeNotebook(path: string, nb: Notebook): Promise<void> {
  await writeFile(path, serializeNotebook(nb));
}

/** "a\nb\n" -> ["a\n", "b\n"], as nbformat's split_lines. */
function lines(text: unknown): unknown {
  return typeof text === 'string' ? text.split(/(?<=\n)/).filter((l) => l !== '') : text;
}

/** Copies the notebook with the multi-line string fields nbformat splits. */
function splitMultiline(nb: Notebook): Notebook {
  const cells = nb.cells.map((cell) => ({
    ...cell,
    source: lines(cell.source),
    ...(cell.outputs
      ? {
          outputs: cell.outputs.map((out: Output) => ({
            ...out,
            ...('text' in out ? { text: lines(out.text) } : {}),
            ...('data' in out
              ? {
                  data: Object.fromEntries(
                    Object.entries(out.data).map(([mime, value]) => [mime, isTextMime(mime) ? lines(value) : value]),
                  ),
                }
              : {}),
          })),
        }
      : {}),
  }));
  return { ...nb, cells } as Notebook;
}

/** Whether nbformat stores this mime type's string value as a list of lines. */
function isTextMime(mime: string): boolean {
  return !mime.endsWith('json') && (mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript');
}

/** Deep copy with object keys in sorted order (arrays keep theirs). */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
