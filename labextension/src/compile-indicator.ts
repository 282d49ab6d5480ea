// What a person sees while nvcc compiles: the cell being compiled gets the class
// `icuda-mod-compiling` (the stylesheet shows "compiling…" in its editor's corner), and, where the
// application has a status bar (JupyterLab), an item reads "Compiling [N]…" for the notebook in
// view. Both are views of CompileStatus; neither changes the notebook's model.
import type { CodeCell } from '@jupyterlab/cells';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { CompileStatus, type Compiling } from './compile-status';

const COMPILING_CLASS = 'icuda-mod-compiling';

/** Marks the cell whose execute request is compiling; unmarks it when compiling ends. */
export function markCompilingCell(panel: NotebookPanel, status: CompileStatus): void {
  status.changed.connect((_, compiling) => {
    for (const cell of panel.content.widgets) cell.toggleClass(COMPILING_CLASS, compiling !== null && requestOf(cell) === compiling.msgId);
  });
}

/** The msg_id of the execute request a code cell sent last ('' for other cells). */
function requestOf(cell: unknown): string {
  const future = (cell as Partial<CodeCell>).outputArea?.future;
  return future?.msg.header.msg_id ?? '';
}

/** The status bar item: "Compiling [N]…" while the current notebook's request compiles. */
export class CompileStatusItem extends Widget {
  readonly activeChanged = new Signal<this, void>(this);
  private shown: CompileStatus | null = null;

  constructor(
    private readonly tracker: INotebookTracker,
    private readonly statusOf: (panel: NotebookPanel) => CompileStatus | undefined,
  ) {
    super();
    this.addClass('icuda-CompileStatus');
    this.node.title = 'nvcc is compiling this cell';
    tracker.currentChanged.connect(() => this.follow(), this);
    this.follow();
  }

  /** Whether the status bar shows the item: only while something compiles. */
  get active(): boolean {
    return this.shown?.compiling != null;
  }

  /** Follows the notebook in view (and, after a new notebook opens, its status). */
  follow(): void {
    this.shown?.changed.disconnect(this.render, this);
    const panel = this.tracker.currentWidget;
    this.shown = panel ? (this.statusOf(panel) ?? null) : null;
    this.shown?.changed.connect(this.render, this);
    this.render();
  }

  private render(): void {
    const compiling: Compiling | null = this.shown?.compiling ?? null;
    this.node.textContent = compiling ? `Compiling [${compiling.executionCount}]…` : '';
    this.activeChanged.emit();
  }
}
