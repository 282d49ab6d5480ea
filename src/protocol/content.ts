// The content of every message the runtime serves, as one valibot schema per message type.
// Content is checked once, centrally (the dispatcher for shell and control, the stdin broker
// for input_reply), before a handler runs; handlers then read typed content with the
// protocol's defaults filled in. A malformed field is named, with what it held, so the reply
// tells a frontend's author what to fix.
import * as v from 'valibot';

/** A cursor position in code points; null or absent means the end of the code. */
const cursorPos = v.nullish(v.pipe(v.number(), v.integer(), v.minValue(0)));
/** An optional integer where null means absent (history ranges). */
const optionalInt = v.nullish(v.pipe(v.number(), v.integer()));
/** An optional boolean with the protocol's default. */
const flag = (fallback: boolean) => v.optional(v.boolean(), fallback);
/** A JSON object (valibot's object and record schemas also let arrays through). */
const jsonObject = v.custom<Record<string, unknown>>(isObject, 'a JSON object');
/** Free-form JSON object data (comm payloads). */
const data = v.optional(jsonObject, {});
/** user_expressions: names to expressions. */
const expressions = v.pipe(
  jsonObject,
  v.check((o) => Object.values(o).every((e) => typeof e === 'string'), 'an object of expression strings'),
);
/** Content with no fields the runtime reads. */
const empty = v.object({});

/** One schema per message type served. */
export const contentSchemas = {
  execute_request: v.object({
    code: v.string(),
    silent: flag(false),
    store_history: flag(true),
    user_expressions: v.optional(expressions, {}),
    allow_stdin: flag(true),
    stop_on_error: flag(true),
  }),
  kernel_info_request: empty,
  complete_request: v.object({ code: v.string(), cursor_pos: cursorPos }),
  inspect_request: v.object({ code: v.string(), cursor_pos: cursorPos, detail_level: v.optional(v.picklist([0, 1]), 0) }),
  is_complete_request: v.object({ code: v.string() }),
  history_request: v.object({
    hist_access_type: v.optional(v.picklist(['range', 'tail', 'search']), 'tail'),
    output: flag(false),
    raw: flag(true),
    session: optionalInt,
    start: optionalInt,
    stop: optionalInt,
    n: optionalInt,
    pattern: v.nullish(v.string()),
    unique: flag(false),
  }),
  comm_info_request: v.object({ target_name: v.nullish(v.string()) }),
  shutdown_request: v.object({ restart: flag(false) }),
  interrupt_request: empty,
  comm_open: v.object({ comm_id: v.string(), target_name: v.string(), data }),
  comm_msg: v.object({ comm_id: v.string(), data }),
  comm_close: v.object({ comm_id: v.string(), data }),
  input_reply: v.object({ value: v.string() }),
};

export type ContentType = keyof typeof contentSchemas;
/** The typed content of a message type, after defaults. */
export type ContentOf<T extends ContentType> = v.InferOutput<(typeof contentSchemas)[T]>;

export type Parsed<T extends ContentType> = { ok: true; content: ContentOf<T> } | { ok: false; problem: string };

/** Checks `content` against the schema of `type`; says what is wrong when it does not fit. */
export function parseContent<T extends ContentType>(type: T, content: unknown): Parsed<T> {
  if (!isObject(content)) {
    return { ok: false, problem: `${type}: content must be a JSON object, got ${kindOf(content)}` };
  }
  const result = v.safeParse(contentSchemas[type], content);
  if (result.success) return { ok: true, content: result.output };
  return { ok: false, problem: `${type}: ${result.issues.slice(0, 3).map(describeIssue).join('; ')}` };
}

/** Whether a message type has a content schema. */
export function hasSchema(type: string): type is ContentType {
  return Object.hasOwn(contentSchemas, type);
}

/** One issue as `content.FIELD: expected X, got Y` (or `content.FIELD is missing`). */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = ['content', ...(issue.path ?? []).map((item) => String(item.key))].join('.');
  if (issue.kind === 'schema' && issue.type === 'object' && issue.input === undefined) return `${path} is missing`;
  const custom = issue.type === 'custom' || issue.type === 'check';
  const expected = custom ? issue.message : (issue.expected ?? issue.type.replace(/_/g, ' '));
  return `${path}: expected ${expected}, got ${show(issue.input)}`;
}

/** Whether a value is a JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON kind of a value, for messages. */
function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** A value as JSON, shortened so a huge input does not make a huge reply. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
