// The CUDA help table icuda ships: name -> signature and one line, for completion and inspection.

export interface CudaDoc {
  kind: 'keyword' | 'qualifier' | 'builtin' | 'runtime' | 'intrinsic' | 'type';
  signature: string;
  doc: string;
}

const q = (signature: string, doc: string): CudaDoc => ({ kind: 'qualifier', signature, doc });
const b = (signature: string, doc: string): CudaDoc => ({ kind: 'builtin', signature, doc });
const rt = (signature: string, doc: string): CudaDoc => ({ kind: 'runtime', signature, doc });
const i = (signature: string, doc: string): CudaDoc => ({ kind: 'intrinsic', signature, doc });
const t = (signature: string, doc: string): CudaDoc => ({ kind: 'type', signature, doc });

export const CUDA_DOCS: Readonly<Record<string, CudaDoc>> = {
  __global__: q(
    '__global__ void f(...)',
    'A kernel: runs on the device, launched from the host with f<<<grid, block, shmem, stream>>>(args).',
  ),
  __device__: q('__device__', 'A function or variable on the device, callable from device code.'),
  __host__: q('__host__', 'A function for the host (the default); with __device__, compiled for both.'),
  __shared__: q('__shared__ T x[N]', 'A variable in shared memory: one per thread block, visible to its threads.'),
  __constant__: q('__constant__ T x', 'A read-only variable in constant memory, set from the host with cudaMemcpyToSymbol.'),
  __managed__: q('__managed__ T x', 'A variable in unified memory, reachable from host and device.'),
  __restrict__: q('T *__restrict__ p', 'Promises the compiler that p is the only way to reach its memory.'),
  __launch_bounds__: q(
    '__launch_bounds__(maxThreads, minBlocks)',
    'Tells the compiler the most threads per block, so it can budget registers.',
  ),
  __forceinline__: q('__forceinline__', 'Always inline this device function.'),
  __noinline__: q('__noinline__', 'Never inline this device function.'),
  threadIdx: b('uint3 threadIdx', 'The thread index within its block (x, y, z).'),
  blockIdx: b('uint3 blockIdx', 'The block index within the grid (x, y, z).'),
  blockDim: b('dim3 blockDim', 'The dimensions of a block, in threads.'),
  gridDim: b('dim3 gridDim', 'The dimensions of the grid, in blocks.'),
  warpSize: b('int warpSize', 'Threads per warp (32).'),
  dim3: t('dim3(x, y = 1, z = 1)', 'Grid or block dimensions for a launch.'),
  cudaError_t: t('enum cudaError_t', 'The result of every runtime call; cudaSuccess (0) when it worked.'),
  cudaStream_t: t('cudaStream_t', 'A stream: work queued on one runs in order; different streams may overlap.'),
  cudaEvent_t: t('cudaEvent_t', 'An event: a point in a stream, to time or to wait on.'),
  cudaDeviceProp: t('struct cudaDeviceProp', "A device's properties: name, major/minor, totalGlobalMem, multiProcessorCount, …"),
  cudaSuccess: t('cudaSuccess = 0', 'No error.'),
  cudaMalloc: rt('cudaError_t cudaMalloc(void **devPtr, size_t size)', 'Allocates device memory.'),
  cudaMallocManaged: rt(
    'cudaError_t cudaMallocManaged(void **devPtr, size_t size, unsigned flags = cudaMemAttachGlobal)',
    'Allocates unified memory, usable from host and device.',
  ),
  cudaMallocHost: rt(
    'cudaError_t cudaMallocHost(void **ptr, size_t size)',
    'Allocates page-locked host memory (faster copies, needed for async copies).',
  ),
  cudaMallocPitch: rt(
    'cudaError_t cudaMallocPitch(void **devPtr, size_t *pitch, size_t width, size_t height)',
    'Allocates padded 2D device memory.',
  ),
  cudaMallocAsync: rt(
    'cudaError_t cudaMallocAsync(void **devPtr, size_t size, cudaStream_t stream)',
    'Allocates device memory in stream order.',
  ),
  cudaFree: rt('cudaError_t cudaFree(void *devPtr)', 'Frees device memory.'),
  cudaFreeHost: rt('cudaError_t cudaFreeHost(void *ptr)', 'Frees page-locked host memory.'),
  cudaFreeAsync: rt('cudaError_t cudaFreeAsync(void *devPtr, cudaStream_t stream)', 'Frees device memory in stream order.'),
  cudaMemcpy: rt(
    'cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, cudaMemcpyKind kind)',
    'Copies memory; waits for earlier work on the default stream.',
  ),
  cudaMemcpyAsync: rt(
    'cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, cudaMemcpyKind kind, cudaStream_t stream = 0)',
    'Copies memory in stream order (host memory should be pinned).',
  ),
  cudaMemcpy2D: rt(
    'cudaError_t cudaMemcpy2D(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height, cudaMemcpyKind kind)',
    'Copies a 2D region.',
  ),
  cudaMemcpyToSymbol: rt(
    'cudaError_t cudaMemcpyToSymbol(const void *symbol, const void *src, size_t count, size_t offset = 0, cudaMemcpyKind kind = cudaMemcpyHostToDevice)',
    'Copies to a __device__ or __constant__ variable.',
  ),
  cudaMemcpyFromSymbol: rt(
    'cudaError_t cudaMemcpyFromSymbol(void *dst, const void *symbol, size_t count, size_t offset = 0, cudaMemcpyKind kind = cudaMemcpyDeviceToHost)',
    'Copies from a __device__ variable.',
  ),
  cudaMemcpyHostToDevice: t('cudaMemcpyHostToDevice', 'cudaMemcpyKind: from host memory to device memory.'),
  cudaMemcpyDeviceToHost: t('cudaMemcpyDeviceToHost', 'cudaMemcpyKind: from device memory to host memory.'),
  cudaMemcpyDeviceToDevice: t('cudaMemcpyDeviceToDevice', 'cudaMemcpyKind: within device memory.'),
  cudaMemset: rt('cudaError_t cudaMemset(void *devPtr, int value, size_t count)', 'Sets count bytes of device memory to value.'),
  cudaMemsetAsync: rt(
    'cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream = 0)',
    'cudaMemset in stream order.',
  ),
  cudaMemGetInfo: rt('cudaError_t cudaMemGetInfo(size_t *free, size_t *total)', 'Free and total device memory, in bytes.'),
  cudaMemPrefetchAsync: rt(
    'cudaError_t cudaMemPrefetchAsync(const void *devPtr, size_t count, cudaMemLocation location, unsigned flags, cudaStream_t stream = 0)',
    'Moves unified memory to a device or the host ahead of use.',
  ),
  cudaDeviceSynchronize: rt(
    'cudaError_t cudaDeviceSynchronize(void)',
    'Waits for all work on the device; returns errors of kernels that ran.',
  ),
  cudaDeviceReset: rt('cudaError_t cudaDeviceReset(void)', 'Destroys the context of this process on the current device.'),
  cudaGetLastError: rt(
    'cudaError_t cudaGetLastError(void)',
    'The last error from a runtime call or launch, then resets it to cudaSuccess.',
  ),
  cudaPeekAtLastError: rt('cudaError_t cudaPeekAtLastError(void)', 'The last error, without resetting it.'),
  cudaGetErrorString: rt('const char *cudaGetErrorString(cudaError_t error)', 'A sentence describing the error.'),
  cudaGetErrorName: rt('const char *cudaGetErrorName(cudaError_t error)', 'The error\'s enum name, e.g. "cudaErrorInvalidValue".'),
  cudaGetDeviceCount: rt('cudaError_t cudaGetDeviceCount(int *count)', 'How many CUDA devices there are.'),
  cudaGetDevice: rt('cudaError_t cudaGetDevice(int *device)', 'The current device.'),
  cudaSetDevice: rt('cudaError_t cudaSetDevice(int device)', 'Makes `device` current for this host thread.'),
  cudaGetDeviceProperties: rt('cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device)', "Fills in a device's properties."),
  cudaDeviceGetAttribute: rt(
    'cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr, int device)',
    'One device attribute (cheaper than all properties).',
  ),
  cudaStreamCreate: rt('cudaError_t cudaStreamCreate(cudaStream_t *stream)', 'Creates a stream.'),
  cudaStreamDestroy: rt('cudaError_t cudaStreamDestroy(cudaStream_t stream)', 'Destroys a stream once its work is done.'),
  cudaStreamSynchronize: rt('cudaError_t cudaStreamSynchronize(cudaStream_t stream)', 'Waits for the work queued on a stream.'),
  cudaStreamWaitEvent: rt(
    'cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned flags = 0)',
    'Later work on the stream waits for the event.',
  ),
  cudaEventCreate: rt('cudaError_t cudaEventCreate(cudaEvent_t *event)', 'Creates an event.'),
  cudaEventRecord: rt(
    'cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0)',
    'Records the event at this point of the stream.',
  ),
  cudaEventSynchronize: rt('cudaError_t cudaEventSynchronize(cudaEvent_t event)', 'Waits until the event has happened.'),
  cudaEventElapsedTime: rt(
    'cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)',
    'Milliseconds between two recorded events.',
  ),
  cudaEventDestroy: rt('cudaError_t cudaEventDestroy(cudaEvent_t event)', 'Destroys an event.'),
  cudaFuncGetAttributes: rt(
    'cudaError_t cudaFuncGetAttributes(cudaFuncAttributes *attr, const void *func)',
    "A kernel's registers, shared memory and max threads per block.",
  ),
  cudaOccupancyMaxPotentialBlockSize: rt(
    'cudaError_t cudaOccupancyMaxPotentialBlockSize(int *minGridSize, int *blockSize, T func, size_t dynamicSMem = 0, int blockSizeLimit = 0)',
    'A block size that maximizes occupancy for a kernel.',
  ),
  cudaLaunchKernel: rt(
    'cudaError_t cudaLaunchKernel(const void *func, dim3 grid, dim3 block, void **args, size_t sharedMem = 0, cudaStream_t stream = 0)',
    'Launches a kernel without <<<>>>.',
  ),
  __syncthreads: i(
    'void __syncthreads()',
    'Waits until every thread of the block reaches it; shared memory writes before it are visible after it.',
  ),
  __syncwarp: i('void __syncwarp(unsigned mask = 0xffffffff)', 'Synchronizes the threads of a warp named in mask.'),
  __threadfence: i('void __threadfence()', "Orders this thread's memory writes as seen by all threads of the device."),
  __shfl_sync: i('T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize)', 'Reads var from another lane of the warp.'),
  __shfl_down_sync: i(
    'T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = warpSize)',
    'Reads var from the lane delta above: the step of a warp reduction.',
  ),
  __shfl_up_sync: i(
    'T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = warpSize)',
    'Reads var from the lane delta below: the step of a warp scan.',
  ),
  __shfl_xor_sync: i(
    'T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize)',
    'Reads var from lane (lane ^ laneMask): butterfly reductions.',
  ),
  __ballot_sync: i('unsigned __ballot_sync(unsigned mask, int predicate)', 'A bit per lane whose predicate is true.'),
  __all_sync: i('int __all_sync(unsigned mask, int predicate)', 'True when the predicate holds on every lane in mask.'),
  __any_sync: i('int __any_sync(unsigned mask, int predicate)', 'True when the predicate holds on any lane in mask.'),
  __activemask: i('unsigned __activemask()', 'The lanes of the warp executing this instruction.'),
  __popc: i('int __popc(unsigned x)', 'Number of bits set.'),
  __clz: i('int __clz(int x)', 'Number of leading zero bits.'),
  __ffs: i('int __ffs(int x)', 'Position of the least significant set bit (1-based), 0 when none.'),
  __ldg: i('T __ldg(const T *address)', 'Loads through the read-only data cache.'),
  __fmaf_rn: i('float __fmaf_rn(float x, float y, float z)', 'x*y+z with a single rounding (round to nearest).'),
  __expf: i('float __expf(float x)', 'Fast, less accurate exp.'),
  __sinf: i('float __sinf(float x)', 'Fast, less accurate sin.'),
  __float2half: i('__half __float2half(float a)', 'Converts to half precision (cuda_fp16.h).'),
  __half2float: i('float __half2float(__half a)', 'Converts half precision to float (cuda_fp16.h).'),
  atomicAdd: i('T atomicAdd(T *address, T val)', 'Adds val to *address atomically; returns the old value.'),
  atomicSub: i('int atomicSub(int *address, int val)', 'Subtracts atomically; returns the old value.'),
  atomicMax: i('T atomicMax(T *address, T val)', 'Stores max(*address, val) atomically; returns the old value.'),
  atomicMin: i('T atomicMin(T *address, T val)', 'Stores min(*address, val) atomically; returns the old value.'),
  atomicExch: i('T atomicExch(T *address, T val)', 'Swaps atomically; returns the old value.'),
  atomicCAS: i('T atomicCAS(T *address, T compare, T val)', 'Stores val if *address == compare; returns the old value.'),
  atomicAnd: i('T atomicAnd(T *address, T val)', 'Bitwise and, atomically.'),
  atomicOr: i('T atomicOr(T *address, T val)', 'Bitwise or, atomically.'),
  clock64: i('long long clock64()', "The SM's cycle counter."),
  printf: i('int printf(const char *format, ...)', 'Prints; from device code the output appears when the host synchronizes.'),
  assert: i('void assert(int expression)', 'Stops the kernel (cudaErrorAssert) when false.'),
  ICUDA_TIME: i(
    'ICUDA_TIME("name") { ... }',
    'icuda.h: times the block with CUDA events; a table of the times is shown when the program exits.',
  ),
  'icuda::display_html': i('void icuda::display_html(const std::string &html)', 'icuda.h: shows HTML in the notebook.'),
  'icuda::Table': t('icuda::Table t({"col", ...}); t.row(...); t.display();', 'icuda.h: a table shown as HTML in the notebook.'),
};

const KEYWORDS = [
  'auto',
  'bool',
  'break',
  'case',
  'char',
  'const',
  'constexpr',
  'continue',
  'default',
  'do',
  'double',
  'else',
  'enum',
  'extern',
  'float',
  'for',
  'if',
  'inline',
  'int',
  'long',
  'namespace',
  'nullptr',
  'return',
  'short',
  'signed',
  'size_t',
  'sizeof',
  'static',
  'static_cast',
  'struct',
  'switch',
  'template',
  'typedef',
  'typename',
  'unsigned',
  'using',
  'void',
  'volatile',
  'while',
  'include',
  'define',
  'pragma',
];

/** Every name completion offers besides the cell's own identifiers. */
export const CUDA_WORDS: readonly string[] = [...Object.keys(CUDA_DOCS).filter((k) => !k.includes('::')), ...KEYWORDS];

/** The help shown by inspect_request for a name. */
export function describe(name: string): string | undefined {
  const doc = CUDA_DOCS[name];
  return doc ? `${doc.signature}\n\n${doc.doc}` : undefined;
}
