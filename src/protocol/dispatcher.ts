// Routes decoded requests to typed handler tables: shell requests one at a time in arrival
// order, control requests at once (even while shell is busy). Every request is wrapped in
// busy/idle on iopub; its content is checked against its schema before a handler runs (a
// malformed one is answered, and changes nothing); a handler that throws is logged and
// answered as an internal error.
import type { Logger } from 'pino';
import { hasSchema, parseContent } from './content.js';
import type { Iopub } from './iopub.js';
import type { Message, RequestChannel, Session } from './messages.js';
import { errorReplyFields, internalErrorReply } from './replies.js';
import { Scope, type AnyHandler, type ControlHandlers, type MalformedHandler, type ShellHandlers } from './request.js';

export type Send = (channel: RequestChannel, msg: Message) => Promise<void>;

export interface DispatcherOptions {
  shell: ShellHandlers;
  control: ControlHandlers;
  /** Answers an execute_request aborted by stop_on_error. */
  aborted: AnyHandler;
  /** Answers a request whose content does not fit its schema. */
  malformed: MalformedHandler;
  send: Send;
  iopub: Iopub;
  session: Session;
  log: Logger;
}

export class Dispatcher {
  readonly #queue: Message<unknown>[] = [];
  readonly #aborted = new WeakSet<Message<unknown>>();
  readonly #inflight = new Set<Promise<void>>();
  #draining = false;
  #stopped = false;

  constructor(private readonly opts: DispatcherOptions) {}

  /** Accepts one decoded request from shell or control. */
  receive(channel: RequestChannel, msg: Message<unknown>): void {
    if (this.#stopped) return;
    if (channel === 'control') {
      this.#track(this.#serve('control', msg, this.#handler('control', msg)));
      return;
    }
    this.#queue.push(msg);
    if (!this.#draining) this.#track(this.#drain());
  }

  /** Stops serving: queued shell requests are dropped, new ones ignored. */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
  }

  /** Resolves when no request is being served or queued (for tests and orderly shutdown). */
  async settled(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** Serves queued shell requests one at a time, in order. */
  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let msg = this.#queue.shift(); msg && !this.#stopped; msg = this.#queue.shift()) {
        // An aborted execute is answered `aborted` whatever its content, as ipykernel does.
        if (this.#aborted.has(msg)) await this.#serve('shell', msg, this.opts.aborted, false);
        else await this.#serve('shell', msg, this.#handler('shell', msg));
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The handler for a message type on a channel, if any. Typed as taking any content: #serve
   * gives it only content that passed the schema of its type, which is what it is typed for. */
  #handler(channel: RequestChannel, msg: Message<unknown>): AnyHandler | undefined {
    const table = (channel === 'shell' ? this.opts.shell : this.opts.control) as unknown as Partial<Record<string, AnyHandler>>;
    return Object.hasOwn(table, msg.header.msg_type) ? table[msg.header.msg_type] : undefined;
  }

  /** Serves one request inside busy/idle; never throws. */
  async #serve(channel: RequestChannel, msg: Message<unknown>, handler: AnyHandler | undefined, checkContent = true): Promise<void> {
    const type = msg.header.msg_type;
    const log = this.opts.log.child({ msg_id: msg.header.msg_id, msg_type: type, channel });
    const scope = new Scope(channel, msg, log, this.opts);
    this.opts.iopub.status(msg, 'busy');
    try {
      if (handler) await this.#checkAndRun(scope, handler, checkContent);
      else if (this.#servedElsewhere(channel, type))
        await scope.reply(
          errorReplyFields({ ename: 'WrongChannel', evalue: `${type} is served on shell, not on ${channel}`, traceback: [] }),
        );
      else log.warn('unknown message type: ignored');
    } catch (err) {
      await this.#answerFailure(scope, err);
    } finally {
      this.opts.iopub.status(msg, 'idle');
    }
    await this.#runAfterIdle(scope);
    if (scope.stopQueue) await this.#abortQueuedExecutes(log);
  }

  /** Runs the handler on checked content; malformed content is answered (requests) or logged. */
  async #checkAndRun(scope: Scope, handler: AnyHandler, checkContent: boolean): Promise<void> {
    const type = scope.msg.header.msg_type;
    if (!checkContent || !hasSchema(type)) return handler(scope);
    const parsed = parseContent(type, scope.msg.content);
    if (parsed.ok) {
      scope.content = parsed.content;
      return handler(scope);
    }
    scope.log.warn({ problem: parsed.problem }, 'malformed content: not served');
    if (type.endsWith('_request')) await this.opts.malformed(scope, parsed.problem);
  }

  /** Whether a request type that this channel does not serve is served by the other one. */
  #servedElsewhere(channel: RequestChannel, type: string): boolean {
    const other: object = channel === 'shell' ? this.opts.control : this.opts.shell;
    return type.endsWith('_request') && Object.hasOwn(other, type);
  }

  /** Logs a handler's throw and answers it as an internal error when no reply went out yet. */
  async #answerFailure(scope: Scope, err: unknown): Promise<void> {
    scope.log.error({ err }, 'handler failed');
    if (scope.replied || !scope.msg.header.msg_type.endsWith('_request')) return;
    await scope.reply(internalErrorReply(err)).catch((e: unknown) => scope.log.error({ err: e }, 'error reply failed'));
  }

  /** Runs a request's after-idle work, logging failures. */
  async #runAfterIdle(scope: Scope): Promise<void> {
    for (const fn of scope.after) {
      try {
        await fn();
      } catch (err) {
        scope.log.error({ err }, 'after-idle work failed');
      }
    }
  }

  /** stop_on_error: lets already received messages enter the queue, then marks its executes aborted. */
  async #abortQueuedExecutes(log: Logger): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const doomed = this.#queue.filter((m) => m.header.msg_type === 'execute_request');
    for (const m of doomed) this.#aborted.add(m);
    if (doomed.length > 0) log.info({ count: doomed.length }, 'aborting queued execute requests (stop_on_error)');
  }

  /** Keeps a serving promise in the in-flight set until it settles. */
  #track(work: Promise<void>): void {
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
  }
}
