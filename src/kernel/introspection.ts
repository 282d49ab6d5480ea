// is_complete, complete and inspect for CUDA cells: small, lexical, no compiler involved.
import type { CompleteOutcome, InspectOutcome, IsCompleteOutcome } from '../protocol/interpreter.js';
import { MAGICS, findMagic, magicText } from './magics.js';

const KEYWORDS = [
  '__global__', '__device__', '__host__', '__shared__', '__constant__', '__managed__', '__restrict__',
  '__syncthreads', '__syncwarp', '__launch_bounds__', 'threadIdx', 'blockIdx', 'blockDim', 'gridDim', 'warpSize',
  'cudaMalloc', 'cudaMallocManaged', 'cudaMemcpy', 'cudaMemcpyHostToDevice', 'cudaMemcpyDeviceToHost',
  'cudaMemset', 'cudaFree', 'cudaDeviceSynchronize', 'cudaGetLastError', 'cudaGetErrorString', 'cudaError_t',
  'cudaSuccess', 'atomicAdd', 'auto', 'bool', 'break', 'case', 'char', 'const', 'constexpr', 'continue',
  'double', 'else', 'float', 'for', 'if', 'int', 'long', 'printf', 'return', 'size_t', 'static', 'struct',
  'template', 'typename', 'unsigned', 'void', 'volatile', 'while',
];

const DOCS: Record<string, string> = {
  __global__: 'A kernel: runs on the device, launched from the host with f<<<grid, block>>>(args).',
  __device__: 'A function or variable on the device, callable from device code.',
  __shared__: 'A variable in shared memory, one per thread block.',
  __syncthreads: 'void __syncthreads(): waits until every thread of the block reaches it.',
  threadIdx: 'uint3 threadIdx: the thread index within its block.',
  blockIdx: 'uint3 blockIdx: the block index within the grid.',
  blockDim: 'dim3 blockDim: the dimensions of a block.',
  gridDim: 'dim3 gridDim: the dimensions of the grid.',
  cudaMalloc: 'cudaError_t cudaMalloc(void **devPtr, size_t size): allocates device memory.',
  cudaMemcpy: 'cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, cudaMemcpyKind kind).',
  cudaFree: 'cudaError_t cudaFree(void *devPtr): frees device memory.',
  cudaDeviceSynchronize: 'cudaError_t cudaDeviceSynchronize(): waits for all work on the device.',
  cudaGetLastError: 'cudaError_t cudaGetLastError(): the last error from a runtime call, then resets it.',
};

const OPENERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Brackets, braces and parentheses balanced, ignoring strings, chars and comments. */
export function checkComplete(code: string): IsCompleteOutcome {
  const open: string[] = [];
  let state: 'code' | 'line' | 'block' | '"' | "'" = 'code';
  const text = code.split('\n').map((line) => (magicText(line) === undefined ? line : '')).join('\n');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (state === 'line') { if (c === '\n') state = 'code'; continue; }
    if (state === 'block') { if (c === '*' && next === '/') { state = 'code'; i++; } continue; }
    if (state === '"' || state === "'") {
      if (c === '\\') i++;
      else if (c === state || c === '\n') state = 'code';
      continue;
    }
    if (c === '/' && next === '/') state = 'line';
    else if (c === '/' && next === '*') { state = 'block'; i++; }
    else if (c === '"' || (c === "'" && !/[0-9]/.test(text[i - 1] ?? ''))) state = c;
    else if ('([{'.includes(c)) open.push(c);
    else if (c in OPENERS && open.pop() !== OPENERS[c]) return { status: 'invalid' };
  }
  if (open.length > 0 || state === 'block' || state === '"' || state === "'") return { status: 'incomplete', indent: '    ' };
  return { status: 'complete' };
}

/** Magic names after `%` on a magic line; else keywords and the cell's identifiers. */
export function completeAt(code: string, cursorPos: number): CompleteOutcome {
  const before = code.slice(0, cursorPos);
  const word = /%?[A-Za-z_][A-Za-z0-9_]*$|%$/.exec(before)?.[0] ?? '';
  const cursorStart = cursorPos - word.length;
  if (word.startsWith('%')) {
    const matches = MAGICS.map((m) => `%${m.name}`).filter((name) => name.startsWith(word));
    return { matches, cursorStart, cursorEnd: cursorPos };
  }
  if (word === '') return { matches: [], cursorStart, cursorEnd: cursorPos };
  const words = new Set([...KEYWORDS, ...(code.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])]);
  const matches = [...words].filter((w) => w.startsWith(word) && w !== word).sort();
  return { matches, cursorStart, cursorEnd: cursorPos };
}

/** Help for the magic or CUDA word under the cursor. */
export function inspectAt(code: string, cursorPos: number): InspectOutcome {
  const left = /%?[A-Za-z0-9_]*$/.exec(code.slice(0, cursorPos))![0];
  const right = /^[A-Za-z0-9_]*/.exec(code.slice(cursorPos))![0];
  const word = left + right;
  const magic = word.startsWith('%') ? findMagic(word.slice(1)) : undefined;
  const doc = magic ? `${magic.usage}\n\n${magic.help}` : DOCS[word];
  return doc ? { found: true, data: { 'text/plain': doc } } : { found: false, data: {} };
}
