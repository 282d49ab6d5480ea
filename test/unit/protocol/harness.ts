// A kernel core without sockets: the real dispatcher, handlers and iopub writer, with every
// sent message recorded in order, for driving the protocol layer in unit tests.
import { CommRegistry } from '../../../src/protocol/comms.js';
import { Dispatcher } from '../../../src/protocol/dispatcher.js';
import { ExecutionState } from '../../../src/protocol/handlers/execution-state.js';
import { handlerTables } from '../../../src/protocol/handlers/tables.js';
import type { Interpreter } from '../../../src/protocol/interpreter.js';
import { IopubWriter } from '../../../src/protocol/iopub.js';
import {
  createMessage,
  createSession,
  type Channel,
  type JsonObject,
  type Message,
  type RequestChannel,
} from '../../../src/protocol/messages.js';
import { StdinBroker } from '../../../src/protocol/stdin.js';
import { silentLogger } from '../../../src/log.js';

export interface Sent {
  channel: Channel;
  msg: Message;
}

export class Harness {
  readonly sent: Sent[] = [];
  readonly client = createSession('client');
  readonly session = createSession();
  readonly state = new ExecutionState();
  readonly comms = new CommRegistry();
  readonly iopub: IopubWriter;
  readonly stdin: StdinBroker;
  readonly dispatcher: Dispatcher;
  closed = 0;

  constructor(readonly interpreter: Interpreter) {
    const log = silentLogger();
    const record = (channel: Channel) => async (msg: Message) => void this.sent.push({ channel, msg });
    this.iopub = new IopubWriter({ session: this.session, send: record('iopub'), log });
    this.stdin = new StdinBroker(this.session, record('stdin'), log);
    const close = async () => void (this.closed += 1);
    const tables = handlerTables(
      { interpreter, iopub: this.iopub, state: this.state, stdin: this.stdin, comms: this.comms },
      { interpreter, state: this.state, close },
    );
    this.dispatcher = new Dispatcher({
      ...tables,
      send: (channel, msg) => record(channel)(msg),
      iopub: this.iopub,
      session: this.session,
      log,
    });
  }

  /** Sends a request as a frontend would (its content any JSON value); returns its msg_id. */
  request(channel: RequestChannel, msgType: string, content: unknown = {}): string {
    const msg = { ...createMessage(this.client, msgType, {}, undefined, [Buffer.from('frontend')]), content };
    this.dispatcher.receive(channel, msg);
    return msg.header.msg_id;
  }

  /** Sends an execute_request. */
  execute(code: string, extra: JsonObject = {}): string {
    return this.request('shell', 'execute_request', { code, silent: false, store_history: true, allow_stdin: true, ...extra });
  }

  /** Waits until every request is served and iopub is drained. */
  async settle(): Promise<void> {
    await this.dispatcher.settled();
    await this.iopub.flush();
  }

  /** Every message caused by request `id`. */
  of(id: string): Sent[] {
    return this.sent.filter((s) => (s.msg.parent_header as { msg_id?: string }).msg_id === id);
  }

  /** The reply to request `id` (throws when there is none). */
  reply(id: string): Message {
    const found = this.of(id).filter((s) => s.channel === 'shell' || s.channel === 'control');
    if (found.length !== 1) throw new Error(`expected one reply to ${id}, got ${found.length}`);
    return found[0].msg;
  }

  /** iopub of request `id` as `type` or `status:state` strings. */
  iopubTypes(id: string): string[] {
    return this.of(id)
      .filter((s) => s.channel === 'iopub')
      .map(({ msg }) => (msg.header.msg_type === 'status' ? `status:${msg.content.execution_state}` : msg.header.msg_type));
  }

  /** Resolves once `predicate` holds, polling the event loop. */
  async until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
