// What the kernel says of itself in kernel_info_reply, and its comm target: a module of its own,
// so that the kernel can answer its first kernel_info before the interpreter is loaded.
import { packageVersion } from '../package-info.js';
import type { KernelInfo } from '../protocol/interpreter.js';

/** The comm target of the cell-status messages (labextension/ listens on it). */
export const STATUS_TARGET = 'icuda.status';

/** The banner's "GPU: ..." until nvidia-smi has answered. */
export const GPU_UNKNOWN = 'GPU: still looking';

/** kernel_info for nvcc `nvccVersion` ('' while it is looked for), cells run `where`, and the GPU words. */
export function cudaKernelInfo(nvccVersion: string, where: string, gpu: string): KernelInfo {
  return {
    implementation: 'icuda',
    implementationVersion: packageVersion,
    languageInfo: {
      name: 'cuda',
      version: nvccVersion,
      mimetype: 'text/x-cuda',
      file_extension: '.cu',
      // CUDA where the JupyterLab extension is installed (looked up by name); C++ elsewhere (mime, mode)
      codemirror_mode: { name: 'cuda', mode: 'clike', mime: 'text/x-c++src' },
      pygments_lexer: 'cuda',
    },
    banner: `icuda ${packageVersion}: each cell a CUDA program, compiled by nvcc${nvccVersion ? ` ${nvccVersion}` : ''} and run ${where}; ${gpu}`,
  };
}
