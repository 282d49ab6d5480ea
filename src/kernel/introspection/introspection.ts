// is_complete, complete and inspect for CUDA cells: small, lexical, no compiler involved; the
// names session cells defined (their kind and declaration) come from the session.
import type { CompleteOutcome, InspectOutcome } from '../../protocol/interpreter.js';
import type { SessionName } from '../../session/session-types.js';
import { CUDA_DOCS, CUDA_WORDS, describe } from './cuda-docs.js';
import { MAGICS, findMagic } from '../magics/magics.js';

export { checkComplete } from './is-complete.js';

/** Headers offered inside `#include <`. */
const SYSTEM_HEADERS = [
  'cstdio',
  'cstdlib',
  'cstring',
  'cmath',
  'vector',
  'string',
  'iostream',
  'algorithm',
  'chrono',
  'cuda_runtime.h',
  'cuda_fp16.h',
  'cooperative_groups.h',
  'curand_kernel.h',
  'icuda.h',
];

/** Magic names after `%`; file names inside `#include "` (the workspace's, and icuda.h) or `#include <`;
 * else CUDA names, keywords, the session's names and the cell's identifiers. */
export function completeAt(
  code: string,
  cursorPos: number,
  workspaceFiles: readonly string[] = [],
  sessionNames: readonly SessionName[] = [],
): CompleteOutcome {
  const before = code.slice(0, cursorPos);
  const include = /#\s*include\s*(["<])([^">\n]*)$/.exec(before);
  if (include) {
    const prefix = include[2];
    const names = include[1] === '"' ? [...workspaceFiles, 'icuda.h'] : SYSTEM_HEADERS;
    return {
      matches: [...new Set(names)].filter((n) => n.startsWith(prefix)).sort(),
      cursorStart: cursorPos - prefix.length,
      cursorEnd: cursorPos,
    };
  }
  const word = /%?[A-Za-z_][A-Za-z0-9_]*$|%$/.exec(before)?.[0] ?? '';
  const cursorStart = cursorPos - word.length;
  if (word.startsWith('%')) {
    const matches = MAGICS.map((m) => `%${m.name}`).filter((name) => name.startsWith(word));
    return { matches, cursorStart, cursorEnd: cursorPos };
  }
  if (word === '') return { matches: [], cursorStart, cursorEnd: cursorPos };
  const session = new Map(sessionNames.map((n) => [n.name, n]));
  const words = new Set([...CUDA_WORDS, ...session.keys(), ...(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])]);
  const matches = [...words].filter((w) => w.startsWith(word) && w !== word).sort();
  const types = matches.map((text) => ({
    start: cursorStart,
    end: cursorPos,
    text,
    type: CUDA_DOCS[text]?.kind ?? session.get(text)?.kind ?? (CUDA_WORDS.includes(text) ? 'keyword' : 'name'),
    signature: CUDA_DOCS[text]?.signature ?? session.get(text)?.signature ?? '',
  }));
  return { matches, cursorStart, cursorEnd: cursorPos, metadata: { _jupyter_types_experimental: types } };
}

/** Help for the magic, session name or CUDA name under the cursor: its signature and one line. */
export function inspectAt(code: string, cursorPos: number, sessionNames: readonly SessionName[] = []): InspectOutcome {
  const left = /%?[A-Za-z0-9_]*$/.exec(code.slice(0, cursorPos))![0];
  const right = /^[A-Za-z0-9_]*/.exec(code.slice(cursorPos))![0];
  const word = left + right;
  const magic = word.startsWith('%') ? findMagic(word.slice(1)) : undefined;
  const named = sessionNames.find((n) => n.name === word);
  const defined = named ? `${named.signature}\n\n${named.kind} defined by session cell [${named.cell}]` : undefined;
  const doc = magic ? `${magic.usage}\n\n${magic.help}` : (defined ?? describe(word));
  return doc ? { found: true, data: { 'text/plain': doc } } : { found: false, data: {} };
}
