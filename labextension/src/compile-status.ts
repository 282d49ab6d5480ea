// Which request nvcc is compiling, for one notebook. On an icuda kernel it opens a comm with
// target `icuda.status` (again after each restart); the kernel sends `{ phase, execution_count }`
// on it during an execute_request, parented to that request. Compiling starts with phase
// "compiling" and ends with "running" or "done", when that request goes idle, when another
// execution starts, or when the kernel restarts or dies. Other kernels are left alone, and
// nothing here touches the notebook's model, so nothing of it is saved.
import type { ISessionContext } from '@jupyterlab/apputils';
import { KernelMessage, type Kernel } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';

export const STATUS_TARGET = 'icuda.status';

/** A request being compiled: its msg_id and the count the kernel gave it. */
export interface Compiling {
  msgId: string;
  executionCount: number;
}

/** Follows a notebook's kernel and says which of its requests is compiling, if any. */
export class CompileStatus {
  private kernel: Kernel.IKernelConnection | null = null;
  private comm: Kernel.IComm | null = null;
  private icuda = false;
  private current: Compiling | null = null;
  private readonly changedSignal = new Signal<this, Compiling | null>(this);

  constructor(session: ISessionContext) {
    session.kernelChanged.connect((_, change) => this.attach(change.newValue), this);
    this.attach(session.session?.kernel ?? null);
  }

  /** Emits the compiling request, or null when nothing compiles any more. */
  get changed(): ISignal<this, Compiling | null> {
    return this.changedSignal;
  }

  /** The request being compiled, or null. */
  get compiling(): Compiling | null {
    return this.current;
  }

  /** Stops following the notebook's kernel. */
  dispose(): void {
    this.attach(null);
    Signal.clearData(this);
  }

  /** Follows a new kernel (or none): opens the comm once it answers kernel_info as icuda. The
   * session says its kernel changed after a restart too, with the same connection: no change. */
  private attach(kernel: Kernel.IKernelConnection | null): void {
    if (kernel === this.kernel) return;
    if (this.kernel) {
      this.kernel.statusChanged.disconnect(this.onStatus, this);
      this.kernel.iopubMessage.disconnect(this.onIopub, this);
    }
    this.comm?.dispose();
    this.comm = null;
    this.icuda = false;
    this.set(null);
    this.kernel = kernel;
    if (!kernel) return;
    kernel.statusChanged.connect(this.onStatus, this);
    kernel.iopubMessage.connect(this.onIopub, this);
    kernel.info.then(
      (info) => {
        if (this.kernel !== kernel || info.implementation !== 'icuda') return;
        this.icuda = true;
        this.open(kernel);
      },
      () => undefined, // a kernel that never answers kernel_info is not icuda's
    );
  }

  /** Opens the status comm; a kernel without the target closes it, and it stays closed. */
  private open(kernel: Kernel.IKernelConnection): void {
    if (kernel.isDisposed || !kernel.handleComms) return;
    const comm = kernel.createComm(STATUS_TARGET);
    comm.onMsg = (msg) => this.onPhase(msg);
    comm.onClose = () => {
      if (this.comm === comm) this.comm = null;
    };
    this.comm = comm;
    comm.open({}).done.catch(() => undefined); // disposed with the kernel's state on restart
  }

  /** A restart drops the comm: JupyterLab disposes comms and queued messages right after saying
   * so. The new comm is opened just after that (a microtask later), so its comm_open waits in
   * JupyterLab's queue ahead of any cell run after the restart. */
  private onStatus(kernel: Kernel.IKernelConnection, status: KernelMessage.Status): void {
    if (status === 'restarting' || status === 'autorestarting') {
      this.comm = null;
      this.set(null);
      if (this.icuda) void Promise.resolve().then(() => this.kernel === kernel && !this.comm && this.open(kernel));
    } else if (status === 'dead') {
      this.attach(null);
    }
  }

  /** The compiling request went idle, or another execution started: nothing compiles now. */
  private onIopub(_: Kernel.IKernelConnection, msg: KernelMessage.IIOPubMessage): void {
    if (!this.current) return;
    const parent = parentId(msg);
    if (KernelMessage.isStatusMsg(msg) && msg.content.execution_state === 'idle' && parent === this.current.msgId) this.set(null);
    else if (KernelMessage.isExecuteInputMsg(msg) && parent !== this.current.msgId) this.set(null);
  }

  /** A phase from the kernel: compiling sets the request, running or done ends it. */
  private onPhase(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as { phase?: unknown; execution_count?: unknown };
    const msgId = parentId(msg);
    if (data.phase === 'compiling' && typeof data.execution_count === 'number') {
      this.set({ msgId, executionCount: data.execution_count });
    } else if ((data.phase === 'running' || data.phase === 'done') && this.current?.msgId === msgId) {
      this.set(null);
    }
  }

  /** Emits a change of the compiling request. */
  private set(compiling: Compiling | null): void {
    if (this.current?.msgId === compiling?.msgId) return;
    this.current = compiling;
    this.changedSignal.emit(compiling);
  }
}

/** The msg_id of the request a message answers ('' when it has no parent). */
function parentId(msg: KernelMessage.IMessage): string {
  const parent = msg.parent_header as Partial<KernelMessage.IHeader>;
  return parent.msg_id ?? '';
}
