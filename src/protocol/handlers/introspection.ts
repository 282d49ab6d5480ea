// kernel_info, complete, inspect, is_complete and history. Cursor positions cross this
// boundary as Unicode code points on the wire and UTF-16 indices for the interpreter.
import type { ContentOf } from '../content.js';
import type { HistoryQuery, Interpreter } from '../interpreter.js';
import * as r from '../replies.js';
import type { Handler } from '../request.js';

/** Converts a position in code points to a JS (UTF-16) index into `text`. */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let index = 0;
  for (let seen = 0; seen < codePoints && index < text.length; seen += 1) {
    index += (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return index;
}

/** Converts a JS (UTF-16) index into `text` to a position in code points. */
export function utf16ToCodePoints(text: string, index: number): number {
  let points = 0;
  for (let i = 0; i < index && i < text.length; points += 1) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return points;
}

/** The interpreter's (UTF-16) cursor for a request's cursor_pos; absent means the end of code. */
function cursorOf(code: string, cursorPos: number | null | undefined): number {
  return cursorPos == null ? code.length : codePointsToUtf16(code, cursorPos);
}

/** kernel_info_request, on shell and on control. */
export function kernelInfoHandler(interpreter: Interpreter): Handler<'kernel_info_request'> {
  return (req) => req.reply(r.kernelInfoReply(interpreter.kernelInfo()));
}

/** complete_request. */
export function completeHandler(interpreter: Interpreter): Handler<'complete_request'> {
  return async (req) => {
    const { code, cursor_pos } = req.content;
    const out = await interpreter.complete(code, cursorOf(code, cursor_pos));
    await req.reply(
      r.completeReply(out.matches, utf16ToCodePoints(code, out.cursorStart), utf16ToCodePoints(code, out.cursorEnd), out.metadata),
    );
  };
}

/** inspect_request. */
export function inspectHandler(interpreter: Interpreter): Handler<'inspect_request'> {
  return async (req) => {
    const { code, cursor_pos, detail_level } = req.content;
    const out = await interpreter.inspect(code, cursorOf(code, cursor_pos), detail_level);
    await req.reply(r.inspectReply(out.found, out.data, out.metadata));
  };
}

/** is_complete_request. */
export function isCompleteHandler(interpreter: Interpreter): Handler<'is_complete_request'> {
  return async (req) => {
    const out = await interpreter.isComplete(req.content.code);
    await req.reply(r.isCompleteReply(out.status, out.status === 'incomplete' ? out.indent : undefined));
  };
}

/** history_request. */
export function historyHandler(interpreter: Interpreter): Handler<'history_request'> {
  return async (req) => req.reply(r.historyReply(await interpreter.history(readHistoryQuery(req.content))));
}

/** Maps a history_request's checked content to the interpreter's query (null means absent). */
export function readHistoryQuery(c: ContentOf<'history_request'>): HistoryQuery {
  return {
    histAccessType: c.hist_access_type,
    output: c.output,
    raw: c.raw,
    session: c.session ?? undefined,
    start: c.start ?? undefined,
    stop: c.stop ?? undefined,
    n: c.n ?? undefined,
    pattern: c.pattern ?? undefined,
    unique: c.unique,
  };
}
