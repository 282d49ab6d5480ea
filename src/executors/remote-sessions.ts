// Session cells on a GPU host: the host keeps one Session for this kernel under a session id
// the kernel chose (a UUID), and this runner speaks to it over the session calls of the gRPC
// contract. Cells stream like whole programs; the kernel keeps its own journal, so %replay works
// even after the host lost the session (its idle limit, a restart). While the session lives a
// HoldSession call stays open: when this kernel dies, the host ends the session at once.
// Interactive input is not carried: a session cell's stdin on the host is /dev/null.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { errorOutcome } from '../engine/errors.js';
import type { RunOutcome } from '../engine/outcome.js';
import type { ComputeClient, SessionDescription, SessionRef, SessionReply } from '../remote/proto.js';
import { cellList } from '../session/session-outcomes.js';
import type { CellOptions, JournalEntry, SessionName } from '../session/session-types.js';
import type { SessionRunner } from './executor.js';
import { callError, connect, hostError, streamCall, type Connection, type RemoteOptions } from './remote-call.js';

/** How long describe waits (completion asks it), and how long the goodbye at close may take. */
const DESCRIBE_MS = 3000;
const END_MS = 2000;

type ReplayOptions = Parameters<SessionRunner['replay']>[0];

export class RemoteSessions implements SessionRunner {
  #id = randomUUID();
  /** The cells %replay runs again. */
  #journal: JournalEntry[] = [];
  /** Cells that completed in the host's session: lost if the host no longer has it. */
  #held: number[] = [];
  /** Whether a cell went to the host since the session began (else there is nothing there to reset, describe or end). */
  #used = false;
  #hold: { connection: Connection; call: grpc.ClientReadableStream<SessionReply> } | undefined;
  #holdUnsupported = false;

  constructor(private readonly options: RemoteOptions) {}

  /** Runs the cell in the host's session; a user's failure or an unreachable host is the returned outcome. */
  async runCell(source: string, cell: CellOptions): Promise<RunOutcome> {
    const connection = await connect(this.options);
    if ('status' in connection) return connection;
    const { client, metadata } = connection;
    await this.#holdOpen();
    this.#used = true;
    const request = {
      session_id: this.#id,
      source_code: source,
      compiler_flags: cell.flags,
      execution_count: cell.executionCount,
      timeout_s: cell.timeLimit?.seconds ?? 0,
      check: Boolean(cell.check),
      nocache: Boolean(cell.nocache),
      require_existing: this.#held.length > 0,
      announce_hit: Boolean(cell.announceHit),
    };
    try {
      const ctx = { output: cell.output, signal: cell.signal, log: this.options.log };
      const outcome = await streamCall(
        () => client.RunSessionCell(request, metadata),
        ctx,
        this.options.host,
        (e) => this.#failed(e),
      );
      if (outcome.status === 'ok') {
        this.#journal.push({ source, executionCount: cell.executionCount, flags: cell.flags, check: Boolean(cell.check) });
        this.#held.push(cell.executionCount);
      }
      return outcome;
    } finally {
      client.close();
    }
  }

  /** %replay: a fresh session on the host, then the journal's cells again, in order. */
  async replay(options: ReplayOptions): Promise<RunOutcome> {
    const entries = this.#journal;
    await this.reset();
    for (const entry of entries) {
      options.output.stream('stdout', `[replay] cell [${entry.executionCount}]\n`);
      const outcome = await this.runCell(entry.source, { ...options, ...entry });
      if (outcome.status === 'error') {
        this.#journal = entries;
        return { ...outcome, traceback: [...outcome.traceback, `%replay stopped at cell [${entry.executionCount}].`] };
      }
    }
    return { status: 'ok' };
  }

  /** %reset: the host's session starts afresh; when the host cannot be told, a new session id does it. */
  async reset(): Promise<void> {
    this.#journal = [];
    this.#held = [];
    if (!this.#used) return;
    const done = await this.#unary(this.#id, (client, ref, metadata, reply) =>
      client.ResetSession(ref, metadata, { deadline: soon(END_MS) }, reply),
    );
    if (!done) this.#renew();
  }

  /** The names the host's session defines; none when it cannot be asked. */
  async describe(): Promise<SessionName[]> {
    if (!this.#used) return [];
    const reply = await this.#unary<SessionDescription>(this.#id, (client, ref, metadata, answer) =>
      client.DescribeSession(ref, metadata, { deadline: soon(DESCRIBE_MS) }, answer),
    );
    return reply?.names.map(({ name, kind, cell, signature }) => ({ name, kind, cell, signature })) ?? [];
  }

  /** Ends the host's session (best effort, briefly); a later cell starts a new one. */
  async close(): Promise<void> {
    this.#journal = [];
    if (this.#used)
      await this.#unary(this.#id, (client, ref, metadata, reply) => client.EndSession(ref, metadata, { deadline: soon(END_MS) }, reply));
    this.#renew();
  }

  /** A new session id; the old one's hold is dropped, so the host ends that session. */
  #renew(): void {
    this.#id = randomUUID();
    this.#used = false;
    this.#held = [];
    this.#dropHold();
  }

  /** The call's error as the cell's: a session the host no longer has says what was lost. */
  #failed(error: grpc.ServiceError): RunOutcome {
    const host = this.options.host;
    if (error.code === grpc.status.NOT_FOUND) return this.#expired(error.details);
    if (error.code === grpc.status.RESOURCE_EXHAUSTED)
      return errorOutcome('HostRefused', `${host} refused the session cell: ${error.details}`);
    if (error.code === grpc.status.UNIMPLEMENTED)
      return hostError(host, 'the host does not run session cells (an older icuda host): update it there, or give the cell a main()');
    return callError(host, error);
  }

  /** The host no longer has the session: the error says why and what was lost; the next cell starts afresh. */
  #expired(why: string): RunOutcome {
    const lost = this.#held;
    this.#held = [];
    const evalue = `the session on ${this.options.host} ended: ${why}`;
    return errorOutcome('SessionExpired', evalue, [
      `SessionExpired: ${evalue}`,
      `What ${cellList(lost)} defined is lost; the next cell starts a fresh session (%replay runs them again).`,
    ]);
  }

  /** Opens the hold when none is open (a host without it is fine: the session then ends by its idle limit). */
  async #holdOpen(): Promise<void> {
    if (this.#hold || this.#holdUnsupported) return;
    const connection = await connect(this.options);
    if ('status' in connection) return;
    const call = connection.client.HoldSession({ session_id: this.#id }, connection.metadata);
    const hold = { connection, call };
    this.#hold = hold;
    const gone = () => {
      if (this.#hold !== hold) return;
      this.#hold = undefined;
      connection.client.close();
    };
    call.on('data', () => undefined);
    call.on('error', (error: grpc.ServiceError) => {
      if (error.code === grpc.status.UNIMPLEMENTED) this.#holdUnsupported = true;
      gone();
    });
    call.on('end', gone);
  }

  /** Lets go of the hold: the host ends the session it held. */
  #dropHold(): void {
    const hold = this.#hold;
    this.#hold = undefined;
    hold?.call.cancel();
    hold?.connection.client.close();
  }

  /** One unary call on the session; its reply, or undefined when it failed (logged). */
  async #unary<R>(
    id: string,
    start: (client: ComputeClient, ref: SessionRef, metadata: grpc.Metadata, reply: (e: grpc.ServiceError | null, r?: R) => void) => void,
  ): Promise<R | undefined> {
    const connection = await connect(this.options);
    if ('status' in connection) return undefined;
    try {
      return await new Promise<R | undefined>((resolve) =>
        start(connection.client, { session_id: id }, connection.metadata, (error, reply) => {
          if (error) this.options.log?.warn({ err: error, host: this.options.host }, 'session call failed');
          resolve(error ? undefined : reply);
        }),
      );
    } finally {
      connection.client.close();
    }
  }
}

/** A deadline `ms` from now. */
function soon(ms: number): Date {
  return new Date(Date.now() + ms);
}
