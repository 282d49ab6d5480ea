// At most N jobs at once; the others wait in order and hear their position whenever it changes.

export interface Slot {
  /** Frees the slot for the next waiter; calling it again does nothing. */
  release(): void;
}

interface Waiter {
  grant: (slot: Slot) => void;
  onPosition: (position: number) => void;
}

export interface JobQueue {
  /** Waits for a slot; `onPosition(n)` hears 1-based places while queued; rejects on abort. */
  acquire(signal: AbortSignal, onPosition: (position: number) => void): Promise<Slot>;
  readonly running: number;
  readonly waiting: number;
  readonly limit: number;
}

/** A FIFO queue in front of `limit` slots. */
export function createJobQueue(limit: number): JobQueue {
  const waiters: Waiter[] = [];
  let running = 0;

  const makeSlot = (): Slot => {
    let held = true;
    return {
      release() {
        if (!held) return;
        held = false;
        running--;
        next();
      },
    };
  };
  /** Grants free slots to the first waiters, then tells the rest their new places. */
  const next = () => {
    while (running < limit && waiters.length > 0) {
      running++;
      waiters.shift()!.grant(makeSlot());
    }
    waiters.forEach((waiter, index) => waiter.onPosition(index + 1));
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return waiters.length;
    },
    limit,
    acquire(signal, onPosition) {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      if (running < limit && waiters.length === 0) {
        running++;
        return Promise.resolve(makeSlot());
      }
      return new Promise<Slot>((resolve, reject) => {
        const waiter: Waiter = {
          grant: (slot) => {
            signal.removeEventListener('abort', onAbort);
            resolve(slot);
          },
          onPosition,
        };
        const onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          next();
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        onPosition(waiters.length);
      });
    },
  };
}

/** Why the wait ended: the signal's reason when it is an Error. */
function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal.reason });
}
