// The engine's own small types: how a compile or a run ended, and where a program's output goes.
// They know nothing of Jupyter; the kernel maps them onto the protocol's types (which have the
// same shape, so the mapping is an assignment).

/** A MIME bundle: mimetype -> data (string, or JSON for application/json and friends). */
export type MimeBundle = Record<string, unknown>;

/** How a step ended badly: a name, a one-line value and the lines to show. */
export interface ErrorOutcome {
  status: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

/** How a compile, a run or a whole job ended. */
export type RunOutcome = { status: 'ok' } | ErrorOutcome;

/** Where a program's output goes, as it happens. */
export interface OutputSink {
  /** Text on stdout or stderr. */
  stream(name: 'stdout' | 'stderr', text: string): void;
  /** Rich output (icuda.h's display channel); with a display id when given. */
  display(data: MimeBundle, metadata?: Record<string, unknown>, displayId?: string): void;
  /** Replaces a display shown earlier. */
  updateDisplay(displayId: string, data: MimeBundle, metadata?: Record<string, unknown>): void;
  /** Clears what the current step showed. */
  clearOutput(wait?: boolean): void;
  /** Resolves once everything passed so far has been handed on. */
  flush(): Promise<void>;
  /** Bytes passed but not yet handed on; a producer that sees a backlog can wait on flush(). */
  queuedBytes?(): number;
}
