// is_complete, complete and inspect for CUDA cells: small, lexical, no compiler involved.
import type { CompleteOutcome, InspectOutcome, IsCompleteOutcome } from '../../protocol/interpreter.js';
import { CUDA_DOCS, CUDA_WORDS, describe } from './cuda-docs.js';
import { MAGICS, findMagic, magicText } from '../magics/magics.js';

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

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Brackets, braces and parentheses balanced, ignoring strings, chars and comments. */
export function checkComplete(code: string): IsCompleteOutcome {
  const open: string[] = [];
  let state: 'code' | 'line' | 'block' | '"' | "'" = 'code';
  const text = code
    .split('\n')
    .map((line) => (magicText(line) === undefined ? line : ''))
    .join('\n');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (state === 'line') {
      if (c === '\n') state = 'code';
      continue;
    }
    if (state === 'block') {
      if (c === '*' && next === '/') {
        state = 'code';
        i++;
      }
      continue;
    }
    if (state === '"' || state === "'") {
      if (c === '\\') i++;
      else if (c === state || c === '\n') state = 'code';
      continue;
    }
    if (c === '/' && next === '/') state = 'line';
    else if (c === '/' && next === '*') {
      state = 'block';
      i++;
    } else if (c === '"' || (c === "'" && !/[0-9]/.test(text[i - 1] ?? ''))) state = c;
    else if ('([{'.includes(c)) open.push(c);
    else if (c in OPENERS && open.pop() !== OPENERS[c]) return { status: 'invalid' };
  }
  if (open.length > 0 || state === 'block' || state === '"' || state === "'") return { status: 'incomplete', indent: '    ' };
  return { status: 'complete' };
}

/** Magic names after `%`; file names inside `#include "` (the workspace's, and icuda.h) or `#include <`;
 * else CUDA names, keywords and the cell's identifiers. */
export function completeAt(code: string, cursorPos: number, workspaceFiles: readonly string[] = []): CompleteOutcome {
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
  const words = new Set([...CUDA_WORDS, ...(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])]);
  const matches = [...words].filter((w) => w.startsWith(word) && w !== word).sort();
  const types = matches.map((text) => ({
    start: cursorStart,
    end: cursorPos,
    text,
    type: CUDA_DOCS[text]?.kind ?? (CUDA_WORDS.includes(text) ? 'keyword' : 'name'),
    signature: CUDA_DOCS[text]?.signature ?? '',
  }));
  return { matches, cursorStart, cursorEnd: cursorPos, metadata: { _jupyter_types_experimental: types } };
}

/** Help for the magic or CUDA name under the cursor: signature and one line, from cuda-docs.ts. */
export function inspectAt(code: string, cursorPos: number): InspectOutcome {
  const left = /%?[A-Za-z0-9_]*$/.exec(code.slice(0, cursorPos))![0];
  const right = /^[A-Za-z0-9_]*/.exec(code.slice(cursorPos))![0];
  const word = left + right;
  const magic = word.startsWith('%') ? findMagic(word.slice(1)) : undefined;
  const doc = magic ? `${magic.usage}\n\n${magic.help}` : describe(word);
  return doc ? { found: true, data: { 'text/plain': doc } } : { found: false, data: {} };
}
