// The runner's reply to a run, as it arrives on fd 3: {"session":{...}} (see native/runner.cpp).
import { asCudaErrorReport, type CudaErrorReport } from '../engine/run/cuda-notices.js';

/** How a run ended inside the runner. */
export interface RunnerReply {
  nonce: string;
  /** ok; load-error (dlopen or dlsym failed); exception (uncaught C++ exception); interrupted (SIGINT). */
  status: 'ok' | 'load-error' | 'exception' | 'interrupted';
  /** dlerror() or the exception's what(). */
  message: string;
  /** The CUDA error pending at the end of the cell, if any. */
  cuda: CudaErrorReport | undefined;
  /** The CUDA context is lost (an illegal address and the like): the runner must be restarted. */
  sticky: boolean;
}

const STATUSES = new Set(['ok', 'load-error', 'exception', 'interrupted']);

/** The reply in a frame, or undefined when the frame is display output. */
export function parseReply(frame: string): RunnerReply | undefined {
  if (!frame.startsWith('{"session":')) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(frame) as { session?: unknown }).session;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.nonce !== 'string' || typeof v.status !== 'string' || !STATUSES.has(v.status)) return undefined;
  return {
    nonce: v.nonce,
    status: v.status as RunnerReply['status'],
    message: typeof v.message === 'string' ? v.message : '',
    cuda: asCudaErrorReport(v.cuda),
    sticky: v.sticky === true,
  };
}
