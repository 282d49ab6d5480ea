// The one serialized iopub writer: every broadcast goes through here, in order. Consecutive
// stream chunks of the same name for the same request are coalesced for a few milliseconds;
// anything else flushes them first, so the order seen by frontends is the order of calls.
import type { Logger } from 'pino';
import { createMessage, type JsonObject, type Message, type Session } from './messages.js';
import { statusContent, streamContent, type ExecutionState } from './replies.js';

export type StreamName = 'stdout' | 'stderr';

/** What the rest of the runtime needs from iopub; never blocks the caller. */
export interface Iopub {
  publish(parent: Message<unknown> | undefined, msgType: string, content: JsonObject): void;
  status(parent: Message<unknown> | undefined, state: ExecutionState): void;
  stream(parent: Message<unknown>, name: StreamName, text: string): void;
  /** Resolves once everything published so far has been handed to the transport. */
  flush(): Promise<void>;
  /** Stream text published but not yet handed to the transport (about its size in bytes). */
  queuedBytes?(): number;
}

export interface IopubOptions {
  session: Session;
  send: (msg: Message) => Promise<void>;
  log: Logger;
  delayMs?: number;
  maxBytes?: number;
}

interface PendingStream {
  parent: Message<unknown>;
  name: StreamName;
  chunks: string[];
  bytes: number;
  timer: NodeJS.Timeout;
}

export class IopubWriter implements Iopub {
  #tail: Promise<void> = Promise.resolve();
  #pending: PendingStream | undefined;
  #queued = 0;
  readonly #delayMs: number;
  readonly #maxBytes: number;

  constructor(private readonly options: IopubOptions) {
    this.#delayMs = options.delayMs ?? 25;
    this.#maxBytes = options.maxBytes ?? 64 * 1024;
  }

  /** Publishes `status: starting`, once, when the kernel comes up. */
  starting(): void {
    this.status(undefined, 'starting');
  }

  /** Greets a new subscriber (protocol 5.5): `iopub_welcome`, on a topic its filter matches. */
  welcome(subscription: Buffer): void {
    this.#flushStream();
    this.#enqueue(
      undefined,
      'iopub_welcome',
      { subscription: subscription.toString('utf8') },
      subscription.length > 0 ? subscription : undefined,
    );
  }

  /** Queues any iopub message after the pending stream text. */
  publish(parent: Message<unknown> | undefined, msgType: string, content: JsonObject): void {
    this.#flushStream();
    this.#enqueue(parent, msgType, content);
  }

  /** Queues a status message. */
  status(parent: Message<unknown> | undefined, state: ExecutionState): void {
    this.publish(parent, 'status', statusContent(state));
  }

  /** Adds stream text, coalescing it with the pending chunk of the same name and parent. */
  stream(parent: Message<unknown>, name: StreamName, text: string): void {
    if (text === '') return;
    const p = this.#pending;
    if (p && (p.parent !== parent || p.name !== name)) this.#flushStream();
    const pending = this.#pending ?? this.#startPending(parent, name);
    pending.chunks.push(text);
    pending.bytes += Buffer.byteLength(text, 'utf8');
    if (pending.bytes >= this.#maxBytes) this.#flushStream();
  }

  /** Sends pending stream text now and resolves when all queued messages are sent. */
  flush(): Promise<void> {
    this.#flushStream();
    return this.#tail;
  }

  /** Stream text waiting: coalescing, or queued behind earlier sends. */
  queuedBytes(): number {
    return this.#queued + (this.#pending?.bytes ?? 0);
  }

  /** Opens a new coalescing window. */
  #startPending(parent: Message<unknown>, name: StreamName): PendingStream {
    const timer = setTimeout(() => this.#flushStream(), this.#delayMs);
    timer.unref();
    this.#pending = { parent, name, chunks: [], bytes: 0, timer };
    return this.#pending;
  }

  /** Turns the pending stream text into one queued stream message. */
  #flushStream(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    clearTimeout(p.timer);
    this.#enqueue(p.parent, 'stream', streamContent(p.name, p.chunks.join('')));
  }

  /** Chains one send after the previous ones; a failed send is logged and never stops the chain. */
  #enqueue(
    parent: Message<unknown> | undefined,
    msgType: string,
    content: JsonObject,
    topic: Buffer = Buffer.from(`kernel.${this.options.session.id}.${msgType}`),
  ): void {
    const { session, send, log } = this.options;
    const msg = createMessage(session, msgType, content, parent, [topic]);
    const size = typeof content.text === 'string' ? content.text.length : 0;
    this.#queued += size;
    this.#tail = this.#tail
      .then(() => send(msg))
      .catch((err: unknown) => log.error({ err, msgType }, 'iopub send failed'))
      .finally(() => {
        this.#queued -= size;
      });
  }
}
