// The kernel's execution_count and the abort controller of the running execution, shared by
// the execute, interrupt and shutdown handlers.
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
