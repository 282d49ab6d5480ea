// iopub messages -> nbformat 4 outputs, the way nbclient builds them (output_from_msg), with
// clear_output(wait) and update_display_data honoured, and consecutive stream outputs of the same
// name merged into one (as JupyterLab saves them; the kernel batches text at its own rhythm).
import type { Message } from '../protocol/messages.js';

/** The fields of the iopub contents that become outputs (the protocol's names). */
export interface IopubContent {
  name?: string;
  text?: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
  execution_count?: number | null;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  wait?: boolean;
}

export type Output =
  | { output_type: 'stream'; name: string; text: string }
  | { output_type: 'display_data'; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: 'execute_result'; data: Record<string, unknown>; metadata: Record<string, unknown>; execution_count: number | null }
  | { output_type: 'error'; ename: string; evalue: string; traceback: string[] };

/** Collects the outputs of one cell from its iopub messages. */
export class OutputCollector {
  readonly outputs: Output[] = [];
  #clearBeforeNext = false;
  readonly #displays = new Map<string, number[]>();

  /** Takes one iopub message; answers the output it added, if any. */
  take(msg: Message): Output | undefined {
    const c = msg.content as IopubContent;
    switch (msg.header.msg_type) {
      case 'clear_output':
        if (c.wait) this.#clearBeforeNext = true;
        else this.#clear();
        return undefined;
      case 'update_display_data':
        for (const index of this.#displays.get(c.transient?.display_id ?? '') ?? []) {
          const out = this.outputs[index];
          if (out && out.output_type !== 'stream' && out.output_type !== 'error')
            Object.assign(out, { data: c.data, metadata: c.metadata ?? {} });
        }
        return undefined;
      case 'stream':
        return this.#add({ output_type: 'stream', name: c.name ?? 'stdout', text: c.text ?? '' });
      case 'display_data':
        return this.#add({ output_type: 'display_data', data: c.data ?? {}, metadata: c.metadata ?? {} }, c.transient?.display_id);
      case 'execute_result':
        return this.#add(
          { output_type: 'execute_result', data: c.data ?? {}, metadata: c.metadata ?? {}, execution_count: c.execution_count ?? null },
          c.transient?.display_id,
        );
      case 'error':
        return this.#add({ output_type: 'error', ename: c.ename ?? '', evalue: c.evalue ?? '', traceback: c.traceback ?? [] });
      default:
        return undefined;
    }
  }

  /** Appends an output (merging stream text), after a pending clear. */
  #add(out: Output, displayId?: string): Output {
    if (this.#clearBeforeNext) this.#clear();
    const last = this.outputs.at(-1);
    if (out.output_type === 'stream' && last?.output_type === 'stream' && last.name === out.name) {
      last.text += out.text;
      return out;
    }
    if (displayId) this.#displays.set(displayId, [...(this.#displays.get(displayId) ?? []), this.outputs.length]);
    this.outputs.push(out);
    return out;
  }

  /** Empties the outputs now. */
  #clear(): void {
    this.outputs.length = 0;
    this.#displays.clear();
    this.#clearBeforeNext = false;
  }
}
