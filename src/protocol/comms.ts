// The comms a frontend has open with this kernel: comm_id -> target name. Opened by a
// comm_open for a target the interpreter accepts, forgotten on comm_close; an execution
// notifies every open comm of a target (ExecutionContext.notify).
export class CommRegistry {
  readonly #targets = new Map<string, string>();

  /** Records an open comm (a second open with the same id replaces the first). */
  open(commId: string, target: string): void {
    this.#targets.set(commId, target);
  }

  /** Forgets a comm; returns whether it was open. */
  close(commId: string): boolean {
    return this.#targets.delete(commId);
  }

  /** Whether a comm is open. */
  has(commId: string): boolean {
    return this.#targets.has(commId);
  }

  /** The ids of the open comms of `target`, in the order they were opened. */
  idsOf(target: string): string[] {
    return [...this.#targets].filter(([, t]) => t === target).map(([id]) => id);
  }

  /** The open comms, of one target when given, as comm_info_reply lists them. */
  list(target?: string): Record<string, { target_name: string }> {
    const entries = [...this.#targets].filter(([, t]) => target === undefined || t === target);
    return Object.fromEntries(entries.map(([id, t]) => [id, { target_name: t }]));
  }
}
