// The handler tables: which handler serves each message type on shell and on control.
import type { ControlHandlers, AnyHandler, MalformedHandler, ShellHandlers } from '../request.js';
import * as comm from './comms.js';
import { abortedHandler, executeHandler, malformedHandler, type ExecuteDeps } from './execute.js';
import * as intro from './introspection.js';
import { interruptHandler, shutdownHandler, type LifecycleDeps } from './lifecycle.js';

export interface HandlerTables {
  shell: ShellHandlers;
  control: ControlHandlers;
  /** Answers an execute_request aborted by stop_on_error. */
  aborted: AnyHandler;
  /** Answers a request whose content is malformed. */
  malformed: MalformedHandler;
}

/** The shell and control handler tables, and the answers to aborted and malformed requests. */
export function handlerTables(exec: ExecuteDeps, life: LifecycleDeps): HandlerTables {
  const { interpreter, comms } = exec;
  const kernelInfo = intro.kernelInfoHandler(interpreter);
  const shutdown = shutdownHandler(life);
  const shell: ShellHandlers = {
    execute_request: executeHandler(exec),
    kernel_info_request: kernelInfo,
    complete_request: intro.completeHandler(interpreter),
    inspect_request: intro.inspectHandler(interpreter),
    is_complete_request: intro.isCompleteHandler(interpreter),
    history_request: intro.historyHandler(interpreter),
    comm_info_request: comm.commInfoHandler(comms),
    comm_open: comm.commOpenHandler({ interpreter, comms }),
    comm_msg: comm.commMsgHandler(comms),
    comm_close: comm.commCloseHandler(comms),
    shutdown_request: shutdown,
  };
  // Control serves, even while shell is busy, everything that answers at once (as ipykernel
  // does); executes and comm traffic stay on shell, where they are ordered.
  const control: ControlHandlers = {
    kernel_info_request: kernelInfo,
    complete_request: shell.complete_request,
    inspect_request: shell.inspect_request,
    is_complete_request: shell.is_complete_request,
    history_request: shell.history_request,
    comm_info_request: shell.comm_info_request,
    shutdown_request: shutdown,
    interrupt_request: interruptHandler(exec.state),
  };
  return { shell, control, aborted: abortedHandler(exec.state), malformed: malformedHandler(exec.state) };
}
