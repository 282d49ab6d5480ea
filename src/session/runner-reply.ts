// The runner's reply to a command, as it arrives on fd 3: {"session":{...}} (see native/runner.cpp):
// how the cell ended, and what a bench, info or vars command measured or found.
import { asCudaErrorReport, type CudaErrorReport } from '../engine/run/cuda-notices.js';

/** What one batch of %bench repetitions measured (native/runner-bench.h). */
export interface BatchReply {
  /** GPU milliseconds per repetition; null when the CUDA events failed. */
  gpu: (number | null)[] | null;
  /** Host milliseconds per repetition. */
  host: number[];
  /** Why the GPU times are missing ('' when they are there). */
  events: string;
  /** Why the L2 cache could not be flushed ('' when it was, or not asked). */
  cold: string;
  /** --bytes and --flops as evaluated in the cell's context, when asked. */
  bytes: number | null;
  flops: number | null;
}

/** The CUDA runtime and driver the runner sees, and its device's memory figures (info). */
export interface InfoReply {
  /** cudaRuntimeGetVersion, cudaDriverGetVersion: 13000 for 13.0; the driver's 0 without a driver. */
  runtime: number;
  driver: number;
  device: string;
  l2Bytes: number;
  memoryClockKHz: number;
  busWidthBits: number;
  /** Why the device could not be asked ('' when it could). */
  error: string;
}

/** Where a pointer points: the CUDA runtime's cudaPointerGetAttributes and the driver's allocation range. */
export interface PointerInfo {
  /** The pointer's value ("0x7f..."). */
  value?: string;
  /** unregistered (plain host memory), host (pinned), device, managed, null. */
  memory?: string;
  /** The GPU of device or managed memory. */
  device?: number;
  /** The allocation the pointer is in: its start and size. */
  base?: string;
  bytes?: number;
  /** Why the runtime could not tell (no usable GPU, say). */
  error?: string;
}

/** One variable as the runner found it (vars): the pointer fields when it holds a pointer. */
export interface VarReply extends PointerInfo {
  symbol: string;
  found: boolean;
  size?: number;
}

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
  bench?: BatchReply;
  info?: InfoReply;
  vars?: VarReply[];
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
    ...(isObject(v.bench) ? { bench: v.bench as unknown as BatchReply } : {}),
    ...(isObject(v.info) ? { info: v.info as unknown as InfoReply } : {}),
    ...(Array.isArray(v.vars) ? { vars: v.vars as VarReply[] } : {}),
  };
}

/** A JSON object (not null, not an array). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
