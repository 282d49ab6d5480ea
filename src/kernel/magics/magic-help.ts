// %lsmagic and %help from the one magic table, and the closest known name for a typo.
import type { Magic } from './plan.js';

/** How a magic is written: `%name`, or `%%name` for a cell magic. */
export function spelled(magic: Magic): string {
  return `%${magic.cell ? '%' : ''}${magic.name}`;
}

/** %lsmagic: line magics, then cell magics, each with its usage. */
export function listMagics(magics: readonly Magic[]): string {
  const line = magics.filter((m) => !m.cell);
  const cell = magics.filter((m) => m.cell);
  const width = Math.max(...magics.map((m) => m.usage.length));
  const rows = (ms: Magic[]) => ms.map((m) => `  ${m.usage.padEnd(width)}  ${m.help}`).join('\n');
  return `Line magics (at the top of a cell, % or //%):\n${rows(line)}\n\nCell magics (first line of a cell):\n${rows(cell)}\n\n%help MAGIC explains one.\n`;
}

/** %help [MAGIC]: one magic's usage and help, or the list; an unknown name suggests the closest. */
export function helpText(magics: readonly Magic[], name?: string): string {
  if (name === undefined) return listMagics(magics);
  const bare = name.replace(/^%{1,2}/, '');
  const magic = magics.find((m) => m.name === bare);
  if (magic) return `${magic.usage}\n  ${magic.help}\n`;
  const near = closestName(name.startsWith('%') ? name : `%${name}`, magics.map(spelled));
  throw new Error(`unknown magic ${name}${near ? `; did you mean ${near}?` : ''} (%lsmagic lists them)`);
}

/** The candidate nearest to `name` by edit distance, if near enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
