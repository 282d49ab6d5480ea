// kernel_info, complete, inspect, is_complete, history and the comm requests. Cursor positions
// cross this boundary as Unicode code points on the wire and UTF-16 indices for the interpreter.
import type { Handler } from '../dispatcher.js';
import type { HistoryQuery, Interpreter } from '../interpreter.js';
import * as r from '../replies.js';

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

/** Reads code and cursor_pos (default: end of code) from a request's content. */
function codeAndCursor(content: Record<string, unknown>): { code: string; cursor: number } {
  const code = typeof content.code === 'string' ? content.code : '';
  const pos = typeof content.cursor_pos === 'number' ? content.cursor_pos : Number.POSITIVE_INFINITY;
  return { code, cursor: codePointsToUtf16(code, pos) };
}

/** kernel_info_request, on shell and on control. */
export function kernelInfoHandler(interpreter: Interpreter): Handler {
  return (req) => req.reply(r.kernelInfoReply(interpreter.kernelInfo()));
}

/** complete_request. */
export function completeHandler(interpreter: Interpreter): Handler {
  return async (req) => {
    const { code, cursor } = codeAndCursor(req.msg.content);
    const out = await interpreter.complete(code, cursor);
    await req.reply(
      r.completeReply(out.matches, utf16ToCodePoints(code, out.cursorStart), utf16ToCodePoints(code, out.cursorEnd), out.metadata),
    );
  };
}

/** inspect_request. */
export function inspectHandler(interpreter: Interpreter): Handler {
  return async (req) => {
    const { code, cursor } = codeAndCursor(req.msg.content);
    const level = req.msg.content.detail_level === 1 ? 1 : 0;
    const out = await interpreter.inspect(code, cursor, level);
    await req.reply(r.inspectReply(out.found, out.data, out.metadata));
  };
}

/** is_complete_request. */
export function isCompleteHandler(interpreter: Interpreter): Handler {
  return async (req) => {
    const code = typeof req.msg.content.code === 'string' ? req.msg.content.code : '';
    const out = await interpreter.isComplete(code);
    await req.reply(r.isCompleteReply(out.status, out.status === 'incomplete' ? out.indent : undefined));
  };
}

/** history_request. */
export function historyHandler(interpreter: Interpreter): Handler {
  return async (req) => req.reply(r.historyReply(await interpreter.history(readHistoryQuery(req.msg.content))));
}

/** Maps a history_request's content to the interpreter's query. */
export function readHistoryQuery(c: Record<string, unknown>): HistoryQuery {
  const access = c.hist_access_type === 'range' || c.hist_access_type === 'search' ? c.hist_access_type : 'tail';
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  return {
    histAccessType: access,
    output: c.output === true,
    raw: c.raw !== false,
    session: num(c.session),
    start: num(c.start),
    stop: num(c.stop),
    n: num(c.n),
    pattern: typeof c.pattern === 'string' ? c.pattern : undefined,
    unique: c.unique === true,
  };
}

/** comm_info_request: no comms here. */
export const commInfoHandler: Handler = (req) => req.reply(r.commInfoReply());

/** comm_open: no comm targets exist, so every comm is closed at once. */
export const commOpenHandler: Handler = async (req) => {
  const id = req.msg.content.comm_id;
  req.log.info({ target: req.msg.content.target_name }, 'comm_open for an unknown target: closing it');
  if (typeof id === 'string') req.publish('comm_close', r.commCloseContent(id));
};

/** comm_msg and comm_close: nothing to do. */
export const commIgnoreHandler: Handler = async () => {};
