// execute_request with ipykernel's semantics: execution_count advanced only for requests that
// are not silent and store history, execute_input first (unless silent), outputs bound to the
// request, the outcome broadcast and replied, and stop_on_error asking the dispatcher to abort
// what is queued behind a failure.
import type { CommRegistry } from '../comms.js';
import type { ContentOf } from '../content.js';
import type { Iopub } from '../iopub.js';
import type { ErrorOutcome, ExecuteOutcome, Interpreter } from '../interpreter.js';
import * as r from '../replies.js';
import type { AnyHandler, Handler, MalformedHandler, Request } from '../request.js';
import type { StdinBroker } from '../stdin.js';
import { executionContext } from './execution-context.js';
import type { ExecutionState } from './execution-state.js';

export interface ExecuteDeps {
  interpreter: Interpreter;
  iopub: Iopub;
  state: ExecutionState;
  stdin: StdinBroker;
  comms: CommRegistry;
}

export interface ExecuteRequest {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  stopOnError: boolean;
}

/** Reads an execute_request's checked content: a silent request never stores history. */
export function readExecuteRequest(content: ContentOf<'execute_request'>): ExecuteRequest {
  return {
    code: content.code,
    silent: content.silent,
    storeHistory: !content.silent && content.store_history,
    allowStdin: content.allow_stdin,
    stopOnError: content.stop_on_error,
  };
}

/** The execute_request handler. */
export function executeHandler(deps: ExecuteDeps): Handler<'execute_request'> {
  return async (req) => {
    const request = readExecuteRequest(req.content);
    if (request.storeHistory) deps.state.count += 1;
    const count = deps.state.count;
    if (!request.silent) req.publish('execute_input', r.executeInputContent(request.code, count));
    const outcome = await run(deps, req, request, count);
    publishOutcome(req, outcome, request.silent, count);
    await deps.iopub.flush();
    await req.reply(outcome.status === 'ok' ? r.executeOkReply(count) : r.executeErrorReply(count, outcome));
    if (outcome.status === 'error' && request.stopOnError) req.abortQueuedExecutes();
  };
}

/** The reply to an execute_request aborted by stop_on_error. */
export function abortedHandler(state: ExecutionState): AnyHandler {
  return (req) => req.reply(r.executeAbortedReply(state.count));
}

/** The reply to any request whose content is malformed; an execute_reply carries the count. */
export function malformedHandler(state: ExecutionState): MalformedHandler {
  return (req, problem) =>
    req.reply(req.msg.header.msg_type === 'execute_request' ? r.executeMalformedReply(state.count, problem) : r.malformedReply(problem));
}

/** Runs the cell; a throw from the interpreter is a bug, reported as an InternalError outcome. */
async function run(deps: ExecuteDeps, req: Request, request: ExecuteRequest, count: number): Promise<ExecuteOutcome> {
  const controller = deps.state.begin();
  const { silent, storeHistory, allowStdin } = request;
  const { ctx, close } = executionContext(deps, req, { executionCount: count, silent, storeHistory, allowStdin }, controller.signal);
  try {
    return await deps.interpreter.execute(request.code, ctx);
  } catch (err) {
    req.log.error({ err }, 'interpreter.execute threw');
    return internalError(err);
  } finally {
    close();
    deps.state.end(controller);
  }
}

/** Broadcasts execute_result or error, unless silent. */
function publishOutcome(req: Request, outcome: ExecuteOutcome, silent: boolean, count: number): void {
  if (silent) return;
  if (outcome.status === 'error') req.publish('error', r.errorContent(outcome));
  else if (outcome.result) req.publish('execute_result', r.executeResultContent(count, outcome.result, outcome.resultMetadata));
}

/** The outcome standing in for an interpreter bug. */
function internalError(err: unknown): ErrorOutcome {
  const error = err instanceof Error ? err : new Error(String(err));
  return { status: 'error', ename: 'InternalError', evalue: error.message, traceback: (error.stack ?? error.message).split('\n') };
}
