// The ExecutionContext an interpreter gets for one execute_request: output, input and comm
// notifications all bound to the request, and all refused (logged, dropped) once the
// execution has ended.
import type { CommRegistry } from '../comms.js';
import type { Iopub } from '../iopub.js';
import type { ExecutionContext, OutputSink } from '../interpreter.js';
import * as r from '../replies.js';
import type { Request } from '../request.js';
import type { StdinBroker } from '../stdin.js';

export interface ContextDeps {
  iopub: Iopub;
  stdin: StdinBroker;
  comms: CommRegistry;
}

/** What the request asked for, as the context reports it. */
export interface ContextFlags {
  executionCount: number;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
}

/** Builds the context of one execution; `close()` ends it (later output is dropped). */
export function executionContext(
  deps: ContextDeps,
  req: Request,
  flags: ContextFlags,
  signal: AbortSignal,
): { ctx: ExecutionContext; close: () => void } {
  let open = true;
  const guard = (what: string): boolean => {
    if (!open) req.log.warn({ what }, 'output after the execution ended: dropped');
    return open;
  };
  const ctx: ExecutionContext = {
    ...flags,
    signal,
    output: boundSink(deps.iopub, req, guard),
    input: (prompt, password = false) => askInput(deps, req, flags.allowStdin, signal, prompt, password),
    notify: (target, data) => void (guard('notify') && notify(deps.comms, req, target, data)),
    log: req.log,
  };
  return { ctx, close: () => void (open = false) };
}

/** An output sink bound to one request; `guard` says whether the execution is still running. */
function boundSink(iopub: Iopub, req: Request, guard: (what: string) => boolean): OutputSink {
  return {
    stream: (name, text) => void (guard('stream') && iopub.stream(req.msg, name, text)),
    display: (data, metadata, id) => void (guard('display') && req.publish('display_data', r.displayDataContent(data, metadata, id))),
    updateDisplay: (id, data, metadata) =>
      void (guard('update') && req.publish('update_display_data', r.updateDisplayDataContent(id, data, metadata))),
    clearOutput: (wait) => void (guard('clear') && req.publish('clear_output', r.clearOutputContent(wait))),
    flush: () => iopub.flush(),
    queuedBytes: () => iopub.queuedBytes?.() ?? 0,
  };
}

/** ctx.input: rejects without allow_stdin; otherwise sends the output so far (so it shows above
 * the input box, as in a terminal), then asks the frontend. */
async function askInput(
  deps: ContextDeps,
  req: Request,
  allowed: boolean,
  signal: AbortSignal,
  prompt: string,
  password: boolean,
): Promise<string> {
  if (!allowed) throw new Error('input was requested, but this frontend does not support stdin (allow_stdin is false)');
  await deps.iopub.flush();
  return deps.stdin.ask(req.msg, prompt, password, signal);
}

/** ctx.notify: a comm_msg to every open comm of `target`. */
function notify(comms: CommRegistry, req: Request, target: string, data: Record<string, unknown>): void {
  const ids = comms.idsOf(target);
  if (ids.length === 0) req.log.debug({ target }, 'notify: no open comm for the target');
  for (const id of ids) req.publish('comm_msg', r.commMsgContent(id, data));
}
