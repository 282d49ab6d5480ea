// Which door a cell goes through: a cell with a top-level main() is a whole program, as ever; a
// cell without one is a session cell. The grammar is loaded only when the text alone cannot tell.
import { splitCell } from './splitter.js';

/** `int main(` at the start of a line: a whole program, no parse needed. */
const PLAIN_MAIN = /^[ \t]*(?:int|auto|void)\s+main\s*\(/m;

/** Whether `source` is a session cell (it defines no top-level main). */
export async function isSessionCell(source: string): Promise<boolean> {
  if (!/\bmain\b/.test(source)) return true;
  if (PLAIN_MAIN.test(source)) return false;
  return !(await splitCell(source)).hasMain;
}
