// shutdown_request and interrupt_request: stop the running execution, let the interpreter clean
// up, answer, and (for shutdown) close the kernel once the request's idle is out.
import type { Interpreter } from '../interpreter.js';
import * as r from '../replies.js';
import type { Handler } from '../request.js';
import type { ExecutionState } from './execution-state.js';

export interface LifecycleDeps {
  interpreter: Interpreter;
  state: ExecutionState;
  /** Closes the kernel: sockets, readers, and resolves `closed`. */
  close(): Promise<void>;
}

/** shutdown_request (control, also accepted on shell). */
export function shutdownHandler(deps: LifecycleDeps): Handler<'shutdown_request'> {
  return async (req) => {
    const { restart } = req.content;
    req.log.info({ restart }, 'shutdown requested');
    deps.state.shutdown();
    try {
      await deps.interpreter.shutdown(restart);
    } catch (err) {
      req.log.error({ err }, 'interpreter shutdown failed; shutting down anyway');
    }
    await req.reply(r.shutdownReply(restart));
    req.publish('shutdown_reply', r.shutdownReply(restart));
    req.afterIdle(() => deps.close());
  };
}

/** interrupt_request on control: aborts the running execution, if any. */
export function interruptHandler(state: ExecutionState): Handler<'interrupt_request'> {
  return async (req) => {
    const running = state.interrupt();
    req.log.info({ running }, 'interrupt requested');
    await req.reply(r.interruptReply());
  };
}
