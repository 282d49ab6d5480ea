// HMAC signatures of messages, per the connection's signature_scheme: the signature covers the
// four JSON frames as received; an empty key means no signing; verification is constant-time and
// a bounded memory of recent signatures rejects replays.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { schemeHash } from './connection.js';

export type Verdict = 'valid' | 'invalid' | 'replayed';

export class Signer {
  readonly #hash: string;
  readonly #key: string;
  readonly #seen = new Set<string>();
  readonly #order: string[] = [];

  /** `scheme` is e.g. "hmac-sha256"; `memory` is how many signatures are kept against replays. */
  constructor(
    scheme: string,
    key: string,
    private readonly memory = 4096,
  ) {
    this.#hash = schemeHash(scheme);
    this.#key = key;
  }

  /** Whether messages are signed at all. */
  get enabled(): boolean {
    return this.#key !== '';
  }

  /** The hex signature of the four JSON frames ('' without a key). */
  sign(frames: readonly Buffer[]): string {
    if (!this.enabled) return '';
    const hmac = createHmac(this.#hash, this.#key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest('hex');
  }

  /** Checks a received signature; a valid one is remembered so it cannot be replayed. */
  verify(signature: string, frames: readonly Buffer[]): Verdict {
    if (!this.enabled) return 'valid';
    const expected = Buffer.from(this.sign(frames), 'utf8');
    const actual = Buffer.from(signature, 'utf8');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'invalid';
    if (this.#seen.has(signature)) return 'replayed';
    this.#remember(signature);
    return 'valid';
  }

  /** Adds a signature to the bounded memory, forgetting the oldest. */
  #remember(signature: string): void {
    this.#seen.add(signature);
    this.#order.push(signature);
    if (this.#order.length > this.memory) this.#seen.delete(this.#order.shift()!);
  }
}
