// The notice shown after a program that left a CUDA error pending: what it means and the fix.

/** A CUDA error as the prelude reports it on the display channel. */
export interface CudaErrorReport {
  code: number;
  name: string;
  message: string;
  /** "at exit", or "%check: kernel launch #N <<<…>>>". */
  where: string;
  /** The GPU's architecture ("sm_90") when the prelude could read it, else "". */
  arch: string;
}

/** What an error usually means in a notebook, and how to fix it; keyed by the runtime's error name. */
const EXPLANATIONS: Record<string, (report: CudaErrorReport) => string> = {
  cudaErrorInsufficientDriver: () => 'no usable GPU/driver on this machine: every CUDA call fails here, so kernels never ran',
  cudaErrorNoDevice: () => 'no usable GPU/driver on this machine: every CUDA call fails here, so kernels never ran',
  cudaErrorStubLibrary: () => "no usable GPU/driver on this machine (only the driver's stub library): every CUDA call fails here",
  cudaErrorNoKernelImageForDevice: (r) =>
    `compiled for an arch the GPU cannot run; fix: %flags -arch=${r.arch || "sm_XX (your GPU's compute capability)"}`,
  cudaErrorUnsupportedPtxVersion: (r) =>
    `the PTX is newer than the driver can compile; fix: %flags -arch=${r.arch || 'sm_XX'} (machine code for the GPU) or a newer driver`,
  cudaErrorInvalidConfiguration: () => 'invalid launch configuration: at most 1024 threads per block, grid and block sizes above 0',
  cudaErrorLaunchOutOfResources: () => 'the block needs more registers or shared memory than an SM has: use fewer threads per block',
  cudaErrorIllegalAddress: () =>
    'a kernel read or wrote memory it must not (index out of bounds, or a host pointer): check indices; %check finds the launch',
  cudaErrorMemoryAllocation: () => 'out of device memory',
  cudaErrorInvalidValue: () => 'a CUDA call got an invalid argument',
  cudaErrorInvalidDevicePointer: () => 'a CUDA call got a pointer that is not device memory',
  cudaErrorLaunchFailure: () => 'a kernel failed while running (often an invalid memory access)',
  cudaErrorAssert: () => 'an assert() in device code failed',
};

/** Errors of the runtime's start: they stay set whatever the program checked. */
const UNAVAILABLE = new Set(['cudaErrorInsufficientDriver', 'cudaErrorNoDevice', 'cudaErrorStubLibrary', 'cudaErrorInitializationError']);

/** The notice, one line: "icuda: CUDA error left unchecked at exit: MESSAGE (NAME) — HINT". */
export function cudaNotice(report: CudaErrorReport): string {
  const explain = EXPLANATIONS[report.name];
  const lead = report.where.startsWith('%check')
    ? `CUDA error after ${report.where.slice('%check: '.length)}`
    : UNAVAILABLE.has(report.name)
      ? 'CUDA unavailable'
      : `CUDA error left unchecked ${report.where}`;
  return `icuda: ${lead}: ${report.message} (${report.name})${explain ? ` — ${explain(report)}` : ''}\n`;
}

/** The report in a frame's `cuda_error` field, or undefined when it is not one. */
export function asCudaErrorReport(value: unknown): CudaErrorReport | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.code !== 'number' || typeof v.name !== 'string' || typeof v.message !== 'string') return undefined;
  return {
    code: v.code,
    name: v.name,
    message: v.message,
    where: typeof v.where === 'string' ? v.where : 'at exit',
    arch: typeof v.arch === 'string' ? v.arch : '',
  };
}
