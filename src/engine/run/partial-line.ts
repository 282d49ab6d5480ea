// A program's unfinished last line, held back a moment: a prompt such as "Enter a number: "
// followed by a read of stdin becomes the input box's prompt (as IPython does with input()),
// so the notebook reads in terminal order. Complete lines pass at once; a partial line that
// no read claims is passed on after HOLD_MS.

export const HOLD_MS = 200;

export interface PartialLine {
  /** Text from the program; complete lines go on at once, the unfinished rest is held. */
  write(text: string): void;
  /** Takes the held text (to use as a prompt); '' when there is none. */
  take(): string;
  /** Passes the held text on now. */
  flush(): void;
}

/** Wraps `emit` so that the text after the last newline waits up to `holdMs` to be claimed. */
export function holdPartialLine(emit: (text: string) => void, holdMs = HOLD_MS): PartialLine {
  let held = '';
  let timer: NodeJS.Timeout | undefined;
  const take = (): string => {
    clearTimeout(timer);
    timer = undefined;
    const text = held;
    held = '';
    return text;
  };
  const flush = (): void => {
    const text = take();
    if (text) emit(text);
  };
  return {
    write(text) {
      const cut = text.lastIndexOf('\n') + 1;
      if (cut > 0) {
        emit(take() + text.slice(0, cut));
        held = text.slice(cut);
      } else held += text;
      if (held && !timer) timer = setTimeout(flush, holdMs);
    },
    take,
    flush,
  };
}
