// Routes decoded requests to typed handler tables: shell requests one at a time in arrival
// order, control requests at once (even while shell is busy). Every request is wrapped in
// busy/idle on iopub; a handler that throws is logged and answered as an internal error.
import type { Logger } from 'pino';
import type { Iopub } from './iopub.js';
import { createMessage, replyType, type JsonObject, type Message, type RequestChannel, type Session } from './messages.js';
import { errorReplyFields, internalErrorReply } from './replies.js';

export type ShellRequestType =
  | 'execute_request'
  | 'kernel_info_request'
  | 'complete_request'
  | 'inspect_request'
  | 'is_complete_request'
  | 'history_request'
  | 'comm_info_request'
  | 'shutdown_request'
  | 'comm_open'
  | 'comm_msg'
  | 'comm_close';
export type ControlRequestType =
  | 'kernel_info_request'
  | 'shutdown_request'
  | 'interrupt_request'
  | 'complete_request'
  | 'inspect_request'
  | 'is_complete_request'
  | 'history_request'
  | 'comm_info_request';

/** One request being served, as a handler sees it. */
export interface Request {
  readonly channel: RequestChannel;
  readonly msg: Message;
  readonly log: Logger;
  /** Whether a reply was sent already. */
  readonly replied: boolean;
  /** Sends the `*_reply` of this request on its channel, to its identities. */
  reply(content: JsonObject): Promise<void>;
  /** Broadcasts on iopub with this request as parent. */
  publish(msgType: string, content: JsonObject): void;
  /** Asks that the execute requests queued behind this one be aborted (stop_on_error). */
  abortQueuedExecutes(): void;
  /** Runs `fn` after this request's idle has been queued. */
  afterIdle(fn: () => Promise<void> | void): void;
}

export type Handler = (req: Request) => Promise<void>;
export type ShellHandlers = { [K in ShellRequestType]: Handler };
export type ControlHandlers = { [K in ControlRequestType]: Handler };
export type Send = (channel: RequestChannel, msg: Message) => Promise<void>;

export interface DispatcherOptions {
  shell: ShellHandlers;
  control: ControlHandlers;
  /** Answers an execute_request aborted by stop_on_error. */
  aborted: Handler;
  send: Send;
  iopub: Iopub;
  session: Session;
  log: Logger;
}

/** The state of one request, behind the Request interface. */
class Scope implements Request {
  replied = false;
  stopQueue = false;
  readonly after: (() => Promise<void> | void)[] = [];
  constructor(
    readonly channel: RequestChannel,
    readonly msg: Message,
    readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Sends the reply; marks the request as answered first so a failed send is not answered twice. */
  async reply(content: JsonObject): Promise<void> {
    this.replied = true;
    const { session, send } = this.opts;
    await send(this.channel, createMessage(session, replyType(this.msg.header.msg_type), content, this.msg));
  }

  /** Broadcasts with this request as parent. */
  publish(msgType: string, content: JsonObject): void {
    this.opts.iopub.publish(this.msg, msgType, content);
  }

  /** Flags the queue for stop_on_error. */
  abortQueuedExecutes(): void {
    this.stopQueue = true;
  }

  /** Registers work for after idle. */
  afterIdle(fn: () => Promise<void> | void): void {
    this.after.push(fn);
  }
}

export class Dispatcher {
  readonly #queue: Message[] = [];
  readonly #aborted = new WeakSet<Message>();
  readonly #inflight = new Set<Promise<void>>();
  #draining = false;
  #stopped = false;

  constructor(private readonly opts: DispatcherOptions) {}

  /** Accepts one decoded request from shell or control. */
  receive(channel: RequestChannel, msg: Message): void {
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
        const handler = this.#aborted.has(msg) ? this.opts.aborted : this.#handler('shell', msg);
        await this.#serve('shell', msg, handler);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** The handler for a message type on a channel, if any. */
  #handler(channel: RequestChannel, msg: Message): Handler | undefined {
    const table: Partial<Record<string, Handler>> = channel === 'shell' ? this.opts.shell : this.opts.control;
    return Object.hasOwn(table, msg.header.msg_type) ? table[msg.header.msg_type] : undefined;
  }

  /** Serves one request inside busy/idle; never throws. */
  async #serve(channel: RequestChannel, msg: Message, handler: Handler | undefined): Promise<void> {
    const type = msg.header.msg_type;
    const log = this.opts.log.child({ msg_id: msg.header.msg_id, msg_type: type, channel });
    const scope = new Scope(channel, msg, log, this.opts);
    this.opts.iopub.status(msg, 'busy');
    try {
      if (handler) await handler(scope);
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
