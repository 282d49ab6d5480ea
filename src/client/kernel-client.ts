// A minimal Jupyter client over ZeroMQ: DEALER sockets for shell and control, a SUB socket for
// iopub, messages framed and signed by src/protocol. It sends requests and routes every received
// message to whoever waits on its parent's msg_id.
import { Dealer, Subscriber } from 'zeromq';
import { endpoint, type ConnectionInfo } from '../protocol/connection.js';
import { createMessage, createSession, type Message, type Session } from '../protocol/messages.js';
import { Signer } from '../protocol/signer.js';
import { decodeFrames, encodeMessage } from '../protocol/wire.js';

export type ClientChannel = 'shell' | 'control' | 'iopub';
type Listener = (msg: Message, channel: ClientChannel) => void;

export class KernelClient {
  readonly session: Session = createSession('icuda-run');
  readonly #signer: Signer;
  readonly #shell = new Dealer({ linger: 0 });
  readonly #control = new Dealer({ linger: 0 });
  readonly #iopub = new Subscriber({ linger: 0 });
  readonly #listeners = new Map<string, Listener>();
  readonly #loops: Promise<void>[] = [];
  /** Messages with no listener (e.g. iopub_welcome, status starting) go here. */
  onUnrouted: Listener = () => undefined;

  constructor(private readonly info: ConnectionInfo) {
    this.#signer = new Signer(info.signature_scheme, info.key);
  }

  /** Connects all sockets and starts one reader loop per socket. */
  connect(): void {
    this.#iopub.subscribe();
    this.#iopub.connect(endpoint(this.info, 'iopub'));
    this.#shell.connect(endpoint(this.info, 'shell'));
    this.#control.connect(endpoint(this.info, 'control'));
    this.#loops.push(this.#read(this.#shell, 'shell'), this.#read(this.#control, 'control'), this.#read(this.#iopub, 'iopub'));
  }

  /** Sends a request; `listener` hears every message whose parent is this request. Answers its msg_id. */
  async send(channel: 'shell' | 'control', msgType: string, content: object, listener: Listener): Promise<string> {
    const msg = createMessage(this.session, msgType, content);
    this.#listeners.set(msg.header.msg_id, listener);
    const socket = channel === 'shell' ? this.#shell : this.#control;
    await socket.send(encodeMessage(msg, this.#signer));
    return msg.header.msg_id;
  }

  /** Sends a request and resolves with its reply (or rejects after `timeoutMs`). */
  request(channel: 'shell' | 'control', msgType: string, content: object, timeoutMs: number): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${msgType.replace(/_request$/, '_reply')} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      const listener: Listener = (msg, from) => {
        if (from !== channel || !msg.header.msg_type.endsWith('_reply')) return;
        clearTimeout(timer);
        this.forget((msg.parent_header as { msg_id: string }).msg_id);
        resolve(msg);
      };
      this.send(channel, msgType, content, listener).catch(reject);
    });
  }

  /** Stops routing messages of one request. */
  forget(msgId: string): void {
    this.#listeners.delete(msgId);
  }

  /** Closes the sockets; reader loops end. */
  async close(): Promise<void> {
    for (const s of [this.#shell, this.#control, this.#iopub]) if (!s.closed) s.close();
    await Promise.allSettled(this.#loops);
  }

  /** Receives from one socket until it closes, routing each valid message. */
  async #read(socket: Dealer | Subscriber, channel: ClientChannel): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: Message;
        try {
          msg = decodeFrames(frames, this.#signer);
        } catch {
          continue;
        }
        const parentId = (msg.parent_header as { msg_id?: unknown }).msg_id;
        const listener = typeof parentId === 'string' ? this.#listeners.get(parentId) : undefined;
        (listener ?? this.onUnrouted)(msg, channel);
      }
    } catch (error) {
      if (!socket.closed) throw error;
    }
  }
}
