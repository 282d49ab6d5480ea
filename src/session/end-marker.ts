// The runner ends each cell's output on stdout and stderr with a marker naming the cell's nonce:
// a scanner per stream passes the text before it to the cell and tells when the marker passed.
// A marker split across chunks is held back until it is whole.

/** The marker the runner writes after cell `nonce` (see native/runner.cpp). */
export function endMarker(nonce: string): string {
  return `\x1eicuda-end:${nonce}\x1e`;
}

/** Splits one decoded stream at the current cell's end marker. */
export class MarkerScanner {
  #held = '';
  #marker = '';

  /** Starts waiting for the marker of `nonce`. */
  expect(nonce: string): void {
    this.#marker = endMarker(nonce);
  }

  /** The text to show now, and whether the marker was in it (what follows it is held for the next cell). */
  push(text: string): { text: string; ended: boolean } {
    const all = this.#held + text;
    this.#held = '';
    if (!this.#marker) return { text: this.#keepPrefix(all, '\x1e'), ended: false };
    const at = all.indexOf(this.#marker);
    if (at >= 0) {
      this.#held = all.slice(at + this.#marker.length);
      this.#marker = '';
      return { text: all.slice(0, at), ended: true };
    }
    return { text: this.#keepPrefix(all, this.#marker), ended: false };
  }

  /** Whatever is held back (at the runner's end, or for the next cell). */
  drain(): string {
    const held = this.#held;
    this.#held = '';
    return held;
  }

  /** Emits all but a tail that could be the start of `marker`, which it holds. */
  #keepPrefix(all: string, marker: string): string {
    for (let keep = Math.min(marker.length - 1, all.length); keep > 0; keep--) {
      if (marker.startsWith(all.slice(all.length - keep))) {
        this.#held = all.slice(all.length - keep);
        return all.slice(0, all.length - keep);
      }
    }
    return all;
  }
}
