// input_request / input_reply on the stdin channel: the kernel asks the frontend that sent an
// execute request (same identities as on shell) for a line, and waits for its answer. An
// input_reply whose content is malformed fails the pending request, saying why, rather than
// leaving the execution waiting for a reply that will not come.
import type { Logger } from 'pino';
import { parseContent } from './content.js';
import { createMessage, type Message, type Session } from './messages.js';
import { inputRequestContent } from './replies.js';

interface Pending {
  requestId: string;
  resolve(value: string): void;
  reject(error: Error): void;
}

export class StdinBroker {
  #pending: Pending | undefined;

  constructor(
    private readonly session: Session,
    private readonly send: (msg: Message) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Sends input_request to the requester of `parent` and resolves with the reply's value. */
  async ask(parent: Message<unknown>, prompt: string, password: boolean, signal: AbortSignal): Promise<string> {
    if (signal.aborted) throw new Error('input request interrupted');
    if (this.#pending) throw new Error('an input request is already waiting for a reply');
    const msg = createMessage(this.session, 'input_request', inputRequestContent(prompt, password), parent);
    const answer = new Promise<string>((resolve, reject) => {
      this.#pending = { requestId: msg.header.msg_id, resolve, reject };
    });
    const onAbort = (): void => this.#settle(undefined, new Error('input request interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.send(msg);
      return await answer;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#pending = undefined;
    }
  }

  /** Accepts a message received on stdin; only an input_reply to the pending request counts. */
  receive(msg: Message<unknown>): void {
    if (msg.header.msg_type !== 'input_reply') {
      this.log.warn({ msg_type: msg.header.msg_type }, 'unexpected message on stdin: ignored');
      return;
    }
    const parentId = (msg.parent_header as { msg_id?: unknown }).msg_id;
    if (!this.#pending || (parentId !== undefined && parentId !== this.#pending.requestId)) {
      this.log.warn({ parent_id: parentId }, 'input_reply without a matching input_request: ignored');
      return;
    }
    const parsed = parseContent('input_reply', msg.content);
    if (parsed.ok) this.#settle(parsed.content.value);
    else {
      this.log.warn({ problem: parsed.problem }, 'malformed input_reply: the input request fails');
      this.#settle(undefined, new Error(`malformed input_reply from the frontend (${parsed.problem})`));
    }
  }

  /** Rejects a pending request (shutdown). */
  cancel(): void {
    this.#settle(undefined, new Error('kernel is shutting down'));
  }

  /** Resolves or rejects the pending request once. */
  #settle(value: string | undefined, error?: Error): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = undefined;
    if (error) p.reject(error);
    else p.resolve(value ?? '');
  }
}
