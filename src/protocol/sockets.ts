// Opens and binds the five kernel sockets, runs the heartbeat echo, and closes them all.
// zeromq v6 allows one pending send per socket, so every socket gets one serialized sender.
import type { Logger } from 'pino';
import { Publisher, Reply, Router } from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection.js';

/** Sends multipart messages one after another on a socket. */
export type SerialSend = (frames: Buffer[]) => Promise<void>;

export interface KernelSockets {
  shell: Router;
  control: Router;
  stdin: Router;
  iopub: Publisher;
  send: { shell: SerialSend; control: SerialSend; stdin: SerialSend; iopub: SerialSend };
  /** Closes every socket; pending receives end and the heartbeat loop finishes. */
  close(): Promise<void>;
}

/** How long unsent messages (a final shutdown_reply) may linger after close, in ms. */
const LINGER_MS = 1000;

/** Opens and binds all sockets of a connection, and starts the heartbeat. */
export async function openSockets(info: ConnectionInfo, log: Logger): Promise<KernelSockets> {
  const opts = { linger: LINGER_MS };
  const shell = new Router(opts);
  const control = new Router(opts);
  const stdin = new Router(opts);
  const iopub = new Publisher(opts);
  const hb = new Reply({ linger: 0 });
  const all = [shell, control, stdin, iopub, hb];
  try {
    await Promise.all([
      shell.bind(endpoint(info, 'shell')),
      control.bind(endpoint(info, 'control')),
      stdin.bind(endpoint(info, 'stdin')),
      iopub.bind(endpoint(info, 'iopub')),
      hb.bind(endpoint(info, 'hb')),
    ]);
  } catch (err) {
    for (const s of all) s.close();
    throw new Error(`cannot bind the kernel sockets on ${info.transport} ${info.ip}`, { cause: err });
  }
  const heartbeat = echo(hb, log.child({ channel: 'hb' }));
  const send = { shell: serialSender(shell), control: serialSender(control), stdin: serialSender(stdin), iopub: serialSender(iopub) };
  const close = async (): Promise<void> => {
    for (const s of all) if (!s.closed) s.close();
    await heartbeat;
  };
  return { shell, control, stdin, iopub, send, close };
}

/** Returns a sender that queues each send behind the previous one on the same socket. */
export function serialSender(socket: { send(frames: Buffer[]): Promise<void> }): SerialSend {
  let tail: Promise<void> = Promise.resolve();
  return (frames) => {
    const sent = tail.then(() => socket.send(frames));
    tail = sent.catch(() => undefined);
    return sent;
  };
}

/** The heartbeat: every message is echoed back unchanged, independent of shell work. */
async function echo(hb: Reply, log: Logger): Promise<void> {
  try {
    for await (const frames of hb) await hb.send(frames);
  } catch (err) {
    if (!hb.closed) log.error({ err }, 'heartbeat stopped');
  }
}
