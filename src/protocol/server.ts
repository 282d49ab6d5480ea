// Composes the runtime: sockets, signer, wire, iopub writer, dispatcher and handlers, around
// one Interpreter. The returned handle interrupts, terminates and tells when the kernel closed.
import type { Logger } from 'pino';
import type { Router } from 'zeromq';
import type { ConnectionInfo } from './connection.js';
import { CommRegistry } from './comms.js';
import { Dispatcher } from './dispatcher.js';
import { ExecutionState } from './handlers/execution-state.js';
import { handlerTables } from './handlers/tables.js';
import type { Interpreter } from './interpreter.js';
import { IopubWriter } from './iopub.js';
import { createSession, type Message } from './messages.js';
import { Signer } from './signer.js';
import { openSockets, type SerialSend } from './sockets.js';
import { StdinBroker } from './stdin.js';
import { decodeRequest, encodeMessage, WireError } from './wire.js';

export interface StartKernelOptions {
  connection: ConnectionInfo;
  interpreter: Interpreter;
  log: Logger;
}

export interface RunningKernel {
  /** Aborts the running execution, as interrupt_request does, without a reply. */
  interrupt(): void;
  /** Aborts the running execution, lets the interpreter clean up (bounded), closes the kernel. */
  terminate(): Promise<void>;
  /** Resolves once every socket is closed; the process can then exit. */
  closed: Promise<void>;
  /** Resolves once the first reply (shell or control) has been handed to its socket: work the
   * first reply does not need can start then without delaying it. */
  served: Promise<void>;
}

const TERMINATE_TIMEOUT_MS = 5000;
const FLUSH_TIMEOUT_MS = 2000;
const SUBSCRIBER_WAIT_MS = 2000;

/** Binds the sockets of `connection` and serves Jupyter requests with `interpreter`. */
export async function startKernel({ connection, interpreter, log: rootLog }: StartKernelOptions): Promise<RunningKernel> {
  const session = createSession();
  const log = rootLog.child({ session: session.id });
  const signer = new Signer(connection.signature_scheme, connection.key);
  const sockets = await openSockets(connection, log);
  const encoded = (send: SerialSend) => (msg: Message) => send(encodeMessage(msg, signer));
  const iopub = new IopubWriter({ session, send: encoded(sockets.send.iopub), log });
  const firstSubscriber = new Promise<void>((subscribed) =>
    sockets.onSubscribe((topic) => {
      iopub.welcome(topic);
      subscribed();
    }),
  );
  // A frontend that connects and at once sends a request (jupyter console does) would miss the
  // request's busy/idle if its subscription has not reached iopub yet, and wait forever. So
  // shell requests wait for the first subscriber, or SUBSCRIBER_WAIT_MS, whichever comes first;
  // the chain keeps their order.
  let shellGate: Promise<void> = Promise.race([firstSubscriber, delay(SUBSCRIBER_WAIT_MS)]);
  const state = new ExecutionState();
  const stdin = new StdinBroker(session, encoded(sockets.send.stdin), log);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeAll());
  let markServed!: () => void;
  const served = new Promise<void>((resolve) => (markServed = resolve));
  const dispatcher = new Dispatcher({
    ...handlerTables({ interpreter, iopub, state, stdin, comms: new CommRegistry() }, { interpreter, state, close }),
    send: (channel, msg) => encoded(sockets.send[channel])(msg).finally(markServed),
    iopub,
    session,
    log,
  });
  const readers = [
    readLoop(sockets.shell, signer, log.child({ channel: 'shell' }), (m) => {
      shellGate = shellGate.then(() => dispatcher.receive('shell', m));
    }),
    readLoop(sockets.control, signer, log.child({ channel: 'control' }), (m) => dispatcher.receive('control', m)),
    readLoop(sockets.stdin, signer, log.child({ channel: 'stdin' }), (m) => stdin.receive(m)),
  ];

  /** Stops serving, sends what is queued on iopub, closes the sockets and resolves `closed`. */
  async function closeAll(): Promise<void> {
    dispatcher.stop();
    state.shutdown();
    stdin.cancel();
    await withTimeout(iopub.flush(), FLUSH_TIMEOUT_MS);
    await sockets.close();
    await Promise.all(readers);
    log.info('kernel sockets closed');
    resolveClosed();
  }

  iopub.starting();
  log.info({ transport: connection.transport, ip: connection.ip }, 'kernel listening');
  return {
    interrupt: () => void state.interrupt('interrupted by signal'),
    terminate: async () => {
      state.shutdown();
      const done = interpreter.shutdown(false).catch((err: unknown) => log.error({ err }, 'interpreter shutdown failed'));
      if (!(await withTimeout(done, TERMINATE_TIMEOUT_MS))) log.warn('interpreter shutdown timed out');
      await close();
    },
    closed,
    served,
  };
}

/** Reads one ROUTER socket until it closes; messages that fail decoding are logged and dropped. */
async function readLoop(socket: Router, signer: Signer, log: Logger, deliver: (msg: Message<unknown>) => void): Promise<void> {
  try {
    for await (const frames of socket) {
      try {
        deliver(decodeRequest(frames, signer));
      } catch (err) {
        if (err instanceof WireError) log.warn({ code: err.code, reason: err.message }, 'dropped a message');
        else log.error({ err }, 'failed to deliver a message');
      }
    }
  } catch (err) {
    if (!socket.closed) log.error({ err }, 'reader stopped');
  }
}

/** Resolves after `ms`, without keeping the process alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Waits for `work` at most `ms`; returns whether it finished in time. */
async function withTimeout(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
