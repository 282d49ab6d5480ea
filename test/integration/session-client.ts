// What the session tests through jupyter_client share: how a cell ended, and what it displayed.
import assert from 'node:assert/strict';
import { streamText, type Exchange } from '../support/jupyter.js';

/** The error an exchange ended with (reply and iopub agree). */
export function errorOf(ex: Exchange): { ename: string; evalue: string; traceback: string[] } {
  assert.equal(ex.reply.content.status, 'error', JSON.stringify(ex.reply.content));
  const published = ex.iopub.filter((m) => m.msg_type === 'error');
  assert.equal(published.length, 1, 'exactly one error output');
  assert.equal(published[0].content.ename, ex.reply.content.ename);
  return ex.reply.content as never;
}

/** Asserts the cell succeeded, saying what it printed when it did not. */
export function ok(ex: Exchange): void {
  const c = ex.reply.content;
  assert.equal(c.status, 'ok', `${c.ename}: ${c.evalue}\n${(c.traceback ?? []).join('\n')}\n${streamText(ex, 'stderr')}`);
}

/** The text/plain of each display_data of an exchange. */
export function displays(ex: Exchange): string[] {
  return ex.iopub.filter((m) => m.msg_type === 'display_data').map((m) => String(m.content.data['text/plain']));
}
