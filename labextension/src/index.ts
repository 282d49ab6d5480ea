// The icuda extension for JupyterLab 4 and Notebook 7. Two plugins: CUDA as an editor language
// (notebook cells of kernels whose language_info names it, and .cu/.cuh files), and the
// "compiling" indicator fed by the icuda kernel's `icuda.status` comm.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { CompileStatusItem, markCompilingCell } from './compile-indicator';
import { CompileStatus } from './compile-status';
import { cuda } from './cuda-language';

/** CUDA for cells and files: a language named `cuda` (what language_info.codemirror_mode asks
 * for) with mime type text/x-cuda, and the file type that opens .cu and .cuh in the editor. */
const languagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'icuda-jupyterlab:language',
  description: 'CUDA highlighting for icuda notebook cells and .cu/.cuh files',
  autoStart: true,
  requires: [IEditorLanguageRegistry],
  activate: (app: JupyterFrontEnd, languages: IEditorLanguageRegistry) => {
    languages.addLanguage({
      name: 'CUDA',
      displayName: 'CUDA',
      mime: 'text/x-cuda',
      extensions: ['cu', 'cuh'],
      load: async () => cuda(),
    });
    app.docRegistry.addFileType({
      name: 'cuda',
      displayName: 'CUDA',
      extensions: ['.cu', '.cuh'],
      mimeTypes: ['text/x-cuda'],
      fileFormat: 'text',
      contentType: 'file',
    });
  },
};

/** One CompileStatus per notebook; the cell mark everywhere, the status bar item where there is a bar. */
const compileStatusPlugin: JupyterFrontEndPlugin<void> = {
  id: 'icuda-jupyterlab:compile-status',
  description: 'Says "compiling" while nvcc compiles a cell of an icuda notebook',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker, statusBar: IStatusBar | null) => {
    const statuses = new WeakMap<NotebookPanel, CompileStatus>();
    const item = statusBar ? new CompileStatusItem(tracker, (panel) => statuses.get(panel)) : null;
    tracker.widgetAdded.connect((_, panel) => {
      const status = new CompileStatus(panel.sessionContext);
      statuses.set(panel, status);
      markCompilingCell(panel, status);
      panel.disposed.connect(() => status.dispose());
      item?.follow();
    });
    if (statusBar && item) {
      statusBar.registerStatusItem(compileStatusPlugin.id, {
        item,
        align: 'left',
        rank: 5,
        isActive: () => item.active,
        activeStateChanged: item.activeChanged,
      });
    }
  },
};

export default [languagePlugin, compileStatusPlugin];
