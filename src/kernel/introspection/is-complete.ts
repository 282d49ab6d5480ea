// is_complete for CUDA cells, as a console needs it on every Enter: incomplete while brackets,
// a comment or a string are open, or while the last top-level item lacks its end (`;`, a closing
// brace, a preprocessor line's end); invalid for a closer too many. A blank last line sends what
// there is (a console user's way to run a cell the rules think unfinished).
import type { IsCompleteOutcome } from '../../protocol/interpreter.js';
import { magicText } from '../magics/magics.js';

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const INCOMPLETE: IsCompleteOutcome = { status: 'incomplete', indent: '    ' };

/** What a scan of the code found. */
interface Scan {
  invalid: boolean;
  open: boolean;
  /** The last character of code (outside comments), and whether it ended a preprocessor line. */
  last: string;
  directive: boolean;
  /** What came before the `{` of the last top-level block (`struct P `, `int a[] = `, `void f() `). */
  head: string;
}

/** The cell's status: complete, incomplete (with an indent) or invalid. */
export function checkComplete(code: string): IsCompleteOutcome {
  const text = code
    .split('\n')
    .map((line) => (magicText(line) === undefined ? line : ''))
    .join('\n');
  const scan = scanCode(text);
  if (scan.invalid) return { status: 'invalid' };
  if (scan.open || /\\[ \t]*$/.test(text)) return INCOMPLETE;
  if (scan.last === '' || scan.directive || scan.last === ';' || /\n[ \t]*$/.test(text)) return { status: 'complete' };
  if (scan.last === '}') return needsSemicolon(scan.head) ? INCOMPLETE : { status: 'complete' };
  return INCOMPLETE;
}

/** A block that a `;` must follow: a type's definition, or an initializer (`= {...}`, a lambda). */
function needsSemicolon(head: string): boolean {
  const bare = head
    .replace(/\/\/.*$/gm, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .trim();
  const type = /^(template\s*<[\s\S]*>\s*)?(typedef\s+)?(struct|class|union|enum)\b/.test(bare) && !bare.includes('(');
  const assigned = /(^|[^=!<>])=($|[^=])/.exec(bare);
  return type || (assigned !== null && !bare.slice(0, assigned.index).includes('('));
}

/** Brackets, strings, comments and the last top-level item, in one pass. */
function scanCode(text: string): Scan {
  const open: string[] = [];
  const scan: Scan = { invalid: false, open: false, last: '', directive: false, head: '' };
  let state: 'code' | 'line' | 'block' | '"' | "'" = 'code';
  let segment = 0;
  let blockHead = '';
  let lineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\n') lineStart = true;
    if (state === 'line' || state === 'block') {
      if (state === 'line' && c === '\n') state = 'code';
      else if (state === 'block' && c === '*' && next === '/') [state, i] = ['code', i + 1];
      continue;
    }
    if (state === '"' || state === "'") {
      if (c === '\\') i++;
      else if (c === state || c === '\n') [state, scan.last] = ['code', c];
      continue;
    }
    if (/\s/.test(c)) continue;
    const first = lineStart;
    lineStart = false;
    if (c === '#' && first) {
      i = directiveEnd(text, i) - 1; // the newline itself is seen next, as a line start
      if (open.length === 0) [scan.last, scan.directive, segment] = ['#', true, i + 1];
      continue;
    }
    if (c === '/' && (next === '/' || next === '*')) {
      [state, i] = [next === '/' ? 'line' : 'block', i + 1];
      continue;
    }
    [scan.last, scan.directive] = [c, false];
    if (c === '"' || (c === "'" && !/[0-9]/.test(text[i - 1] ?? ''))) state = c;
    else if ('([{'.includes(c)) {
      if (c === '{' && open.length === 0) blockHead = text.slice(segment, i);
      open.push(c);
    } else if (c in OPENERS) {
      if (open.pop() !== OPENERS[c]) return { ...scan, invalid: true };
      if (c === '}' && open.length === 0) [scan.head, segment] = [blockHead, i + 1];
    } else if (c === ';' && open.length === 0) segment = i + 1;
  }
  scan.open = open.length > 0 || state === 'block' || state === '"' || state === "'";
  return scan;
}

/** The index of the newline ending the preprocessor line at `at` (line continuations followed), or the text's end. */
function directiveEnd(text: string, at: number): number {
  for (let i = at; ;) {
    const end = text.indexOf('\n', i);
    if (end < 0) return text.length;
    if (text[end - 1] !== '\\') return end;
    i = end + 1;
  }
}
