// The seam between the Jupyter runtime (src/protocol) and a language (src/kernel).
// The protocol layer owns sockets, identities, headers, msg_ids, busy/idle, execute_input,
// execution_count, the abort queue and every reply; an Interpreter only sees code, a context
// bound to the current request, and returns values. Positions here are JavaScript string
// indices (UTF-16 units): the protocol layer converts from and to Unicode code points.
import type { Logger } from 'pino';

/** A MIME bundle: mimetype -> data (string, or JSON for application/json and friends). */
export type MimeBundle = Record<string, unknown>;

/** Where an execution's output goes; every call is bound to the request that started it. */
export interface OutputSink {
  /** Text on stdout or stderr; the protocol layer may coalesce consecutive chunks. */
  stream(name: 'stdout' | 'stderr', text: string): void;
  /** display_data; with transient.display_id when given. */
  display(data: MimeBundle, metadata?: Record<string, unknown>, displayId?: string): void;
  /** update_display_data for a display_id shown earlier. */
  updateDisplay(displayId: string, data: MimeBundle, metadata?: Record<string, unknown>): void;
  /** clear_output. */
  clearOutput(wait?: boolean): void;
  /** Resolves once everything published so far has been handed to the transport. */
  flush(): Promise<void>;
  /** Bytes of output published but not yet handed to the transport; a producer that sees a
   * large backlog can wait on flush() (back-pressure). */
  queuedBytes?(): number;
}

/** Everything an execution may know about the request that started it. */
export interface ExecutionContext {
  /** The count the request was given: incremented first when the request is not silent and
   * stores history, the current (unchanged) count otherwise. */
  executionCount: number;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  /** Aborted on interrupt (interrupt_request or SIGINT) and on shutdown. */
  signal: AbortSignal;
  output: OutputSink;
  /** Asks the frontend for a line of input (input_request on stdin). Rejects when the request
   * did not allow stdin, or when the execution is interrupted. */
  input(prompt: string, password?: boolean): Promise<string>;
  /** Sends `data` in a comm_msg (on iopub, parented to this request) to every open comm of
   * `target`; does nothing when none is open, or once the execution has ended. */
  notify(target: string, data: Record<string, unknown>): void;
  log: Logger;
}

export type ExecuteOutcome = { status: 'ok'; result?: MimeBundle; resultMetadata?: Record<string, unknown> } | ErrorOutcome;

export interface ErrorOutcome {
  status: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface CompleteOutcome {
  matches: string[];
  /** JS string indices into the code. */
  cursorStart: number;
  cursorEnd: number;
  metadata?: Record<string, unknown>;
}

export interface InspectOutcome {
  found: boolean;
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

export type IsCompleteOutcome = { status: 'complete' | 'invalid' | 'unknown' } | { status: 'incomplete'; indent: string };

export interface HistoryQuery {
  histAccessType: 'range' | 'tail' | 'search';
  output: boolean;
  raw: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** One history entry: [session, line, input] (or [session, line, [input, output]]). */
export type HistoryEntry = [number, number, string | [string, string | null]];

export interface LanguageInfo {
  name: string;
  version: string;
  mimetype: string;
  file_extension: string;
  pygments_lexer?: string;
  codemirror_mode?: string | Record<string, unknown>;
  nbconvert_exporter?: string;
}

export interface KernelInfo {
  implementation: string;
  implementationVersion: string;
  languageInfo: LanguageInfo;
  banner: string;
  helpLinks?: { text: string; url: string }[];
  /** Whether the kernel speaks the debug protocol (debug_request); false when absent. */
  debugger?: boolean;
}

export interface Interpreter {
  /** Must answer at once: never waits on a toolchain or the file system. */
  kernelInfo(): KernelInfo;
  /** Runs one cell. A user's failure is a returned ErrorOutcome; a throw is a bug. */
  execute(code: string, ctx: ExecutionContext): Promise<ExecuteOutcome>;
  complete(code: string, cursorPos: number): Promise<CompleteOutcome>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectOutcome>;
  isComplete(code: string): Promise<IsCompleteOutcome>;
  history(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** Kill everything started on behalf of the kernel and remove its files. Called before the
   * shutdown reply; also on SIGTERM. */
  shutdown(restart: boolean): Promise<void>;
  /** The comm targets the language accepts: a comm_open for one of them stays open (and
   * ExecutionContext.notify reaches it); one for any other target is closed at once. */
  readonly commTargets?: readonly string[];
}
