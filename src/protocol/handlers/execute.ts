// execute_request with ipykernel's semantics: execution_count for non-silent requests,
// execute_input first, outputs bound to the request, the outcome broadcast and replied, and
// stop_on_error asking the dispatcher to abort what is queued behind a failure.
import type { Request } from '../dispatcher.js';
import type { Iopub } from '../iopub.js';
import type { ErrorOutcome, ExecuteOutcome, ExecutionContext, Interpreter, OutputSink } from '../interpreter.js';
import type { Message } from '../messages.js';
import * as r from '../replies.js';
import type { StdinBroker } from '../stdin.js';

/** The execution count and the abort controller of the running execution. */
export class ExecutionState {
  count = 0;
  #current: AbortController | undefined;
  #closing = false;

  /** Starts an execution; already aborted once the kernel is shutting down. */
  begin(): AbortController {
    const controller = new AbortController();
    if (this.#closing) controller.abort(new Error('kernel is shutting down'));
    this.#current = controller;
    return controller;
  }

  /** Ends an execution. */
  end(controller: AbortController): void {
    if (this.#current === controller) this.#current = undefined;
  }

  /** Aborts the running execution, if any; returns whether there was one. */
  interrupt(reason = 'interrupted'): boolean {
    const current = this.#current;
    current?.abort(new Error(reason));
    return current !== undefined;
  }

  /** Aborts the running execution and every later one. */
  shutdown(): void {
    this.#closing = true;
    this.interrupt('kernel is shutting down');
  }
}

export interface ExecuteDeps {
  interpreter: Interpreter;
  iopub: Iopub;
  state: ExecutionState;
  stdin: StdinBroker;
}

interface ExecuteRequest {
  code: string;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  stopOnError: boolean;
}

/** Reads an execute_request's content with the protocol's defaults. */
export function readExecuteRequest(content: Record<string, unknown>): ExecuteRequest {
  const silent = content.silent === true;
  return {
    code: typeof content.code === 'string' ? content.code : '',
    silent,
    storeHistory: !silent && content.store_history !== false,
    allowStdin: content.allow_stdin !== false,
    stopOnError: content.stop_on_error !== false,
  };
}

/** The execute_request handler. */
export function executeHandler(deps: ExecuteDeps): (req: Request) => Promise<void> {
  return async (req) => {
    const request = readExecuteRequest(req.msg.content);
    if (!request.silent) deps.state.count += 1;
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
export function abortedHandler(state: ExecutionState): (req: Request) => Promise<void> {
  return (req) => req.reply(r.executeAbortedReply(state.count));
}

/** Runs the cell; a throw from the interpreter is a bug, reported as an InternalError outcome. */
async function run(deps: ExecuteDeps, req: Request, request: ExecuteRequest, count: number): Promise<ExecuteOutcome> {
  const controller = deps.state.begin();
  const sink = boundSink(deps.iopub, req);
  const ctx: ExecutionContext = {
    executionCount: count,
    silent: request.silent,
    storeHistory: request.storeHistory,
    allowStdin: request.allowStdin,
    signal: controller.signal,
    output: sink.output,
    input: (prompt, password = false) => askInput(deps, req.msg, request.allowStdin, controller.signal, prompt, password),
    log: req.log,
  };
  try {
    return await deps.interpreter.execute(request.code, ctx);
  } catch (err) {
    req.log.error({ err }, 'interpreter.execute threw');
    return internalError(err);
  } finally {
    sink.close();
    deps.state.end(controller);
  }
}

/** ctx.input: rejects without allow_stdin, otherwise asks the frontend. */
async function askInput(
  deps: ExecuteDeps,
  parent: Message,
  allowed: boolean,
  signal: AbortSignal,
  prompt: string,
  password: boolean,
): Promise<string> {
  if (!allowed) throw new Error('input was requested, but this frontend does not support stdin (allow_stdin is false)');
  return deps.stdin.ask(parent, prompt, password, signal);
}

/** An output sink bound to one request; output after the execution ended is dropped and logged. */
function boundSink(iopub: Iopub, req: Request): { output: OutputSink; close(): void } {
  let open = true;
  const guard = (what: string): boolean => {
    if (!open) req.log.warn({ what }, 'output after the execution ended: dropped');
    return open;
  };
  const output: OutputSink = {
    stream: (name, text) => void (guard('stream') && iopub.stream(req.msg, name, text)),
    display: (data, metadata, id) => void (guard('display') && req.publish('display_data', r.displayDataContent(data, metadata, id))),
    updateDisplay: (id, data, metadata) =>
      void (guard('update') && req.publish('update_display_data', r.updateDisplayDataContent(id, data, metadata))),
    clearOutput: (wait) => void (guard('clear') && req.publish('clear_output', r.clearOutputContent(wait))),
    flush: () => iopub.flush(),
    queuedBytes: () => iopub.queuedBytes?.() ?? 0,
  };
  return { output, close: () => void (open = false) };
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
