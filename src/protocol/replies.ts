// Small pure builders for every reply and iopub content the runtime sends, so no handler
// spells a message by hand.
import type { ErrorOutcome, KernelInfo, MimeBundle } from './interpreter.js';
import { PROTOCOL_VERSION, type JsonObject } from './messages.js';

export type ExecutionState = 'starting' | 'busy' | 'idle';

/** status on iopub. */
export function statusContent(state: ExecutionState): JsonObject {
  return { execution_state: state };
}

/** stream on iopub. */
export function streamContent(name: 'stdout' | 'stderr', text: string): JsonObject {
  return { name, text };
}

/** execute_input on iopub. */
export function executeInputContent(code: string, executionCount: number): JsonObject {
  return { code, execution_count: executionCount };
}

/** error on iopub (also the error fields of a reply). */
export function errorContent(error: Omit<ErrorOutcome, 'status'>): JsonObject {
  return { ename: error.ename, evalue: error.evalue, traceback: [...error.traceback] };
}

/** execute_result on iopub. */
export function executeResultContent(executionCount: number, data: MimeBundle, metadata: JsonObject = {}): JsonObject {
  return { execution_count: executionCount, data, metadata };
}

/** display_data on iopub; transient.display_id when given. */
export function displayDataContent(data: MimeBundle, metadata: JsonObject = {}, displayId?: string): JsonObject {
  return { data, metadata, transient: displayId === undefined ? {} : { display_id: displayId } };
}

/** update_display_data on iopub. */
export function updateDisplayDataContent(displayId: string, data: MimeBundle, metadata: JsonObject = {}): JsonObject {
  return { data, metadata, transient: { display_id: displayId } };
}

/** clear_output on iopub. */
export function clearOutputContent(wait = false): JsonObject {
  return { wait };
}

/** execute_reply for a successful execution. */
export function executeOkReply(executionCount: number): JsonObject {
  return { status: 'ok', execution_count: executionCount, user_expressions: {}, payload: [] };
}

/** execute_reply for a failed execution. */
export function executeErrorReply(executionCount: number, error: Omit<ErrorOutcome, 'status'>): JsonObject {
  return { status: 'error', execution_count: executionCount, ...errorContent(error) };
}

/** execute_reply for a request aborted by stop_on_error. */
export function executeAbortedReply(executionCount: number): JsonObject {
  return { status: 'aborted', execution_count: executionCount };
}

/** Any *_reply for a request whose handler failed unexpectedly. */
export function internalErrorReply(cause: unknown): JsonObject {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  return errorReplyFields({ ename: 'InternalError', evalue: error.message, traceback: (error.stack ?? error.message).split('\n') });
}

/** Any *_reply for a request whose content does not fit its schema; `problem` names the field. */
export function malformedReply(problem: string): JsonObject {
  return errorReplyFields({ ename: 'BadRequest', evalue: problem, traceback: [] });
}

/** execute_reply for a malformed execute_request: an error with the current, unchanged count. */
export function executeMalformedReply(executionCount: number, problem: string): JsonObject {
  return executeErrorReply(executionCount, { ename: 'BadRequest', evalue: problem, traceback: [] });
}

/** The status and error fields shared by every error reply. */
export function errorReplyFields(error: Omit<ErrorOutcome, 'status'>): JsonObject {
  return { status: 'error', ...errorContent(error) };
}

/** kernel_info_reply from what the interpreter says about itself. */
export function kernelInfoReply(info: KernelInfo): JsonObject {
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: info.implementation,
    implementation_version: info.implementationVersion,
    language_info: info.languageInfo,
    banner: info.banner,
    help_links: info.helpLinks ?? [],
    debugger: info.debugger ?? false,
  };
}

/** complete_reply; positions already in code points. */
export function completeReply(matches: string[], cursorStart: number, cursorEnd: number, metadata: JsonObject = {}): JsonObject {
  return { status: 'ok', matches, cursor_start: cursorStart, cursor_end: cursorEnd, metadata };
}

/** inspect_reply. */
export function inspectReply(found: boolean, data: MimeBundle, metadata: JsonObject = {}): JsonObject {
  return { status: 'ok', found, data: found ? data : {}, metadata };
}

/** is_complete_reply; indent only for incomplete code. */
export function isCompleteReply(status: string, indent?: string): JsonObject {
  return status === 'incomplete' ? { status, indent: indent ?? '' } : { status };
}

/** history_reply. */
export function historyReply(history: unknown[]): JsonObject {
  return { status: 'ok', history };
}

/** comm_info_reply: the open comms as {comm_id: {target_name}}. */
export function commInfoReply(comms: Record<string, { target_name: string }> = {}): JsonObject {
  return { status: 'ok', comms };
}

/** comm_close on iopub, refusing a comm_open. */
export function commCloseContent(commId: string): JsonObject {
  return { comm_id: commId, data: {} };
}

/** comm_msg on iopub, from the kernel to one open comm. */
export function commMsgContent(commId: string, data: JsonObject): JsonObject {
  return { comm_id: commId, data };
}

/** shutdown_reply (on the request's channel and on iopub). */
export function shutdownReply(restart: boolean): JsonObject {
  return { status: 'ok', restart };
}

/** interrupt_reply. */
export function interruptReply(): JsonObject {
  return { status: 'ok' };
}

/** input_request on stdin. */
export function inputRequestContent(prompt: string, password: boolean): JsonObject {
  return { prompt, password };
}
