// What every compile adds for icuda.h and the prelude's checks (see include/icuda_prelude.h).
import { join } from 'node:path';
import { packageRoot } from '../../package-info.js';

/** The directory holding icuda.h and icuda_prelude.h. */
export const INCLUDE_DIR = join(packageRoot, 'include');

/** icuda.h on the include path; the prelude's exit check: main and the runtime's dlopen wrapped. */
export const HOOK_FLAGS: readonly string[] = ['-I', INCLUDE_DIR, '-DICUDA_HOOKS', '-Xlinker', '--wrap=main', '-Xlinker', '--wrap=dlopen'];

/** %check: every kernel launch checked and synchronized (CUDA 12.8+ launch entry point wrapped). */
export const CHECK_FLAGS: readonly string[] = ['-DICUDA_CHECK', '-Xlinker', '--wrap=__cudaLaunchKernel'];
