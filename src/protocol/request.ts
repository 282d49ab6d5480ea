// One request being served, as a handler sees it: its typed content, a reply on its own
// channel and identities, broadcasts parented to it, and the hooks a handler may set for the
// dispatcher (stop_on_error, work after idle). Also the types of the handler tables.
import type { Logger } from 'pino';
import type { ContentOf } from './content.js';
import type { Iopub } from './iopub.js';
import { createMessage, replyType, type JsonObject, type Message, type RequestChannel, type Session } from './messages.js';

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
export type RequestType = ShellRequestType | ControlRequestType;

/** One request being served, with its content already checked against its schema. */
export interface Request<Content = unknown> {
  readonly channel: RequestChannel;
  readonly msg: Message<unknown>;
  /** The checked content, with the protocol's defaults filled in. */
  readonly content: Content;
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

/** Serves one request type with its typed content. */
export type Handler<T extends RequestType> = (req: Request<ContentOf<T>>) => Promise<void>;
/** Serves a request whatever its content (aborted executes). */
export type AnyHandler = (req: Request) => Promise<void>;
/** Answers a request whose content does not fit its schema; `problem` says why. */
export type MalformedHandler = (req: Request, problem: string) => Promise<void>;
export type ShellHandlers = { [K in ShellRequestType]: Handler<K> };
export type ControlHandlers = { [K in ControlRequestType]: Handler<K> };

/** Where replies go, and what they are sent with. */
export interface ScopeOptions {
  send: (channel: RequestChannel, msg: Message) => Promise<void>;
  iopub: Iopub;
  session: Session;
}

/** The state of one request, behind the Request interface. */
export class Scope implements Request {
  replied = false;
  stopQueue = false;
  content: unknown = undefined;
  readonly after: (() => Promise<void> | void)[] = [];
  constructor(
    readonly channel: RequestChannel,
    readonly msg: Message<unknown>,
    readonly log: Logger,
    private readonly opts: ScopeOptions,
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
