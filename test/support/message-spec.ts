// Reference shapes of the messages a kernel sends (after ipykernel's test_message_spec):
// every message a test receives goes through validateMessage.
import assert from 'node:assert/strict';

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'string|null';

/** Required content fields and their kinds, per msg_type; other fields are allowed. */
const CONTENT: Record<string, Record<string, Kind>> = {
  status: { execution_state: 'string' },
  stream: { name: 'string', text: 'string' },
  execute_input: { code: 'string', execution_count: 'number' },
  execute_result: { execution_count: 'number', data: 'object', metadata: 'object' },
  display_data: { data: 'object', metadata: 'object' },
  update_display_data: { data: 'object', metadata: 'object', transient: 'object' },
  clear_output: { wait: 'boolean' },
  error: { ename: 'string', evalue: 'string', traceback: 'array' },
  execute_reply: { status: 'string', execution_count: 'number' },
  kernel_info_reply: {
    status: 'string',
    protocol_version: 'string',
    implementation: 'string',
    implementation_version: 'string',
    language_info: 'object',
    banner: 'string',
    debugger: 'boolean',
  },
  complete_reply: { status: 'string', matches: 'array', cursor_start: 'number', cursor_end: 'number', metadata: 'object' },
  inspect_reply: { status: 'string', found: 'boolean', data: 'object', metadata: 'object' },
  is_complete_reply: { status: 'string' },
  history_reply: { status: 'string', history: 'array' },
  comm_info_reply: { status: 'string', comms: 'object' },
  comm_close: { comm_id: 'string', data: 'object' },
  comm_msg: { comm_id: 'string', data: 'object' },
  shutdown_reply: { status: 'string', restart: 'boolean' },
  interrupt_reply: { status: 'string' },
  input_request: { prompt: 'string', password: 'boolean' },
};

const STATES = new Set(['starting', 'busy', 'idle']);
const REPLY_STATUS = new Set(['ok', 'error', 'aborted']);

export interface WireMessage {
  channel: string;
  t: number;
  msg_type: string;
  header: Record<string, unknown>;
  parent_header: Record<string, unknown>;
  metadata: Record<string, unknown>;
  content: Record<string, any>;
}

/** is_complete_reply's status says whether the code is complete; `error` when the request was
 * malformed (then with the error fields, as every error reply). */
const IS_COMPLETE_STATUS = new Set(['complete', 'incomplete', 'invalid', 'unknown', 'error']);

/** Asserts that a message has a valid header and the reference content for its type. */
export function validateMessage(msg: WireMessage): void {
  const where = `${msg.channel}/${msg.msg_type}`;
  const h = msg.header;
  for (const field of ['msg_id', 'msg_type', 'username', 'session', 'date', 'version']) {
    assert.equal(typeof h[field], 'string', `${where}: header.${field} must be a string`);
  }
  assert.match(h.date as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/, `${where}: header.date ISO 8601 with zone`);
  assert.match(h.version as string, /^5\.\d+$/, `${where}: header.version`);
  assert.equal(typeof msg.parent_header, 'object', `${where}: parent_header`);
  assert.equal(typeof msg.metadata, 'object', `${where}: metadata`);
  // An error reply carries the error fields instead of its type's own (execute_reply keeps its count).
  const failed = msg.msg_type.endsWith('_reply') && msg.content.status === 'error' && msg.msg_type !== 'execute_reply';
  const shape = failed ? undefined : CONTENT[msg.msg_type];
  if (shape) checkShape(where, msg.content, shape);
  if (msg.msg_type === 'status') assert.ok(STATES.has(msg.content.execution_state), `${where}: state`);
  if (msg.msg_type === 'stream') assert.ok(['stdout', 'stderr'].includes(msg.content.name), `${where}: name`);
  if (msg.msg_type === 'is_complete_reply') {
    assert.ok(IS_COMPLETE_STATUS.has(msg.content.status), `${where}: status ${msg.content.status}`);
    if (msg.content.status === 'incomplete') assert.equal(typeof msg.content.indent, 'string', `${where}: indent`);
    if (msg.content.status === 'error') checkShape(where, msg.content, CONTENT.error);
  } else if (msg.msg_type.endsWith('_reply') && 'status' in msg.content) {
    assert.ok(REPLY_STATUS.has(msg.content.status), `${where}: status ${msg.content.status}`);
    if (msg.content.status === 'error') checkShape(where, msg.content, CONTENT.error);
  }
}

/** Checks the kinds of the required fields of one content object. */
function checkShape(where: string, content: Record<string, unknown>, shape: Record<string, Kind>): void {
  for (const [field, kind] of Object.entries(shape)) {
    const value = content[field];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const allowed = kind.split('|');
    assert.ok(allowed.includes(actual), `${where}: content.${field} should be ${kind}, got ${actual}`);
  }
}
