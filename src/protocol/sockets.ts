// Opens and binds the five kernel sockets, runs the heartbeat echo, and closes them all.
// zeromq v6 allows one pending send per socket, so every socket gets one serialized sender.
// iopub is an XPUB socket, so the kernel sees each subscription arrive (protocol 5.5). It keeps
// at most IOPUB_HWM messages queued for a subscriber and then waits for it (ZMQ_XPUB_NODROP)
// instead of queueing on: zeromq holds every queued message's buffer, and with the default of
// 1000 messages of up to 64 KiB a flood kept ~64 MiB in the kernel, and lost output once a
// reader fell further behind. A subscriber that reads nothing for IOPUB_STALL_MS is given up
// on: its messages are dropped, as a plain PUB socket always did, until it reads again.
import type { Logger } from 'pino';
import { Router, XPublisher } from 'zeromq';
import { endpoint, type ConnectionInfo } from './connection.js';

/** Sends multipart messages one after another on a socket. */
export type SerialSend = (frames: Buffer[]) => Promise<void>;

export interface KernelSockets {
  shell: Router;
  control: Router;
  stdin: Router;
  iopub: XPublisher;
  send: { shell: SerialSend; control: SerialSend; stdin: SerialSend; iopub: SerialSend };
  /** Starts reading iopub subscriptions; `handler` hears each one's topic. Call once. */
  onSubscribe(handler: (topic: Buffer) => void): void;
  /** Closes every socket; pending receives end and the heartbeat loop finishes. */
  close(): Promise<void>;
}

/** How long unsent messages (a final shutdown_reply) may linger after close, in ms. */
const LINGER_MS = 1000;
/** Messages iopub queues for one subscriber before it waits for that subscriber to read. */
export const IOPUB_HWM = 64;
/** How long iopub waits for a subscriber that reads nothing before dropping its messages, in ms. */
export const IOPUB_STALL_MS = 2000;

/** Opens and binds all sockets of a connection, and starts the heartbeat. */
export async function openSockets(info: ConnectionInfo, log: Logger): Promise<KernelSockets> {
  const opts = { linger: LINGER_MS };
  const shell = new Router(opts);
  const control = new Router(opts);
  const stdin = new Router(opts);
  const iopub = new XPublisher({ ...opts, verbosity: 'allSubs', noDrop: true, sendHighWaterMark: IOPUB_HWM });
  const hb = new Router({ linger: 0 });
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
  let subscriptions: Promise<void> = Promise.resolve();
  const onSubscribe = (handler: (topic: Buffer) => void): void => {
    subscriptions = watchSubscriptions(iopub, handler, log.child({ channel: 'iopub' }));
  };
  const send = {
    shell: serialSender(shell),
    control: serialSender(control),
    stdin: serialSender(stdin),
    iopub: patientSender(iopub, log.child({ channel: 'iopub' })),
  };
  const close = async (): Promise<void> => {
    for (const s of all) if (!s.closed) s.close();
    await Promise.all([heartbeat, subscriptions]);
  };
  return { shell, control, stdin, iopub, send, onSubscribe, close };
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

/** A serialized sender for a NODROP publisher. A send refused at the high water mark (EAGAIN)
 * is tried again every millisecond until it goes. Once the publisher has been full for
 * `stallMs`, the subscriber that reads nothing is given up on: NODROP is turned off, so its
 * messages are dropped as a PUB socket drops them while the others still get every one; every
 * `stallMs` one send with NODROP on looks whether it reads again. */
export function patientSender(socket: NoDropPublisher, log: Logger, stallMs: number = IOPUB_STALL_MS): SerialSend {
  let givenUpAt: number | undefined;
  const refused = (error: unknown) => (error as NodeJS.ErrnoException).code === 'EAGAIN';
  /** Sends with NODROP off, from now on (until a later look finds the subscriber reading). */
  const giveUp = async (frames: Buffer[]) => {
    if (givenUpAt === undefined) log.warn({ stallMs }, 'an iopub subscriber reads nothing: its messages are dropped until it reads again');
    givenUpAt = Date.now();
    socket.noDrop = false;
    await socket.send(frames);
  };
  /** Sends one message, waiting while the publisher is full. */
  const sendOne = async (frames: Buffer[]): Promise<void> => {
    if (givenUpAt !== undefined) {
      if (Date.now() - givenUpAt < stallMs) return socket.send(frames);
      socket.noDrop = true; // one look: does it read again?
      try {
        await socket.send(frames);
        givenUpAt = undefined;
        log.info('the iopub subscriber reads again');
        return;
      } catch (error) {
        if (!refused(error)) throw error;
        return giveUp(frames);
      }
    }
    for (const since = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 1))) {
      try {
        return await socket.send(frames);
      } catch (error) {
        if (!refused(error)) throw error;
        if (Date.now() - since >= stallMs) return giveUp(frames);
      }
    }
  };
  return serialSender({ send: sendOne });
}

/** What patientSender needs of an XPUB socket. */
export interface NoDropPublisher {
  send(frames: Buffer[]): Promise<void>;
  noDrop: boolean;
}

/** The heartbeat: every message is echoed back unchanged to its sender, independent of shell
 * work. A ROUTER (as ipykernel's echo device) rather than a REP: it holds no send/receive state
 * that a malformed or abandoned request could wedge. */
async function echo(hb: Router, log: Logger): Promise<void> {
  try {
    for await (const frames of hb) {
      await hb.send(frames).catch((err: unknown) => log.debug({ err }, 'heartbeat echo dropped'));
    }
  } catch (err) {
    if (!hb.closed) log.error({ err }, 'heartbeat stopped');
  }
}

/** Reads subscription frames from the XPUB socket: byte 1 then the topic subscribes. */
async function watchSubscriptions(iopub: XPublisher, onSubscribe: (topic: Buffer) => void, log: Logger): Promise<void> {
  try {
    for await (const [frame] of iopub) {
      if (frame?.[0] === 1) onSubscribe(frame.subarray(1));
    }
  } catch (err) {
    if (!iopub.closed) log.error({ err }, 'subscription watcher stopped');
  }
}
