// The `icuda` command: parse the command line and hand over to one command module.
// Each command is imported on demand so `icuda kernel` loads only what a kernel needs.
import { packageVersion } from './package-info.js';

const USAGE = `icuda ${packageVersion}: a Jupyter kernel for CUDA

Usage:
  icuda install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
      [--executor remote --host HOST:PORT [--tls-ca FILE] [--token-file FILE]]
      [--executor slurm --slurm-args "SRUN OPTIONS" [--slurm-scratch SHARED_DIR]]
      Register the kernelspec (default: --user, name "icuda", display name "CUDA", cells run locally).
  icuda uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
      Remove it.
  icuda kernel --connection-file FILE
      Run the kernel (what a Jupyter frontend starts through kernel.json).
  icuda host [--listen HOST:PORT] [--tls-cert F --tls-key F [--tls-client-ca F]] [--token-file F]
      [--insecure] [--max-jobs N] [--job-timeout S] [--max-output BYTES] [--max-source BYTES] [--grace S]
      Serve this machine's GPUs to remote kernels over gRPC (loopback only unless TLS + token).
  icuda run NOTEBOOK.ipynb [-o OUT.ipynb | -o -] [--timeout S] [--allow-errors]
      Execute a notebook headless (no Python needed); writes NAME.nbconvert.ipynb by default.
  icuda doctor
      Check the toolchain, GPU, Jupyter and kernelspec; print a fix for each problem.
  icuda cache clear | info
      Empty the compile cache, or show where it is and its size.
  icuda --version | --help

Environment:
  ICUDA_LOG_LEVEL   pino level for the kernel's log on stderr (default info)
  ICUDA_TIMEOUT     default wall-clock limit of a cell in seconds (default none)
  ICUDA_EXECUTOR    local (default), remote or slurm; with ICUDA_HOST, ICUDA_TOKEN_FILE, ICUDA_TLS_CA,
                    ICUDA_TLS=on|off (remote) or ICUDA_SLURM_ARGS, ICUDA_SLURM_SCRATCH (slurm)
  NVCC, CUDA_HOME   where to find nvcc (then PATH, then /usr/local/cuda)
  ICUDA_CACHE_DIR   the compile cache (default $XDG_CACHE_HOME/icuda, else ~/.cache/icuda)
  ICUDA_CACHE_MAX_BYTES  its size cap (default 2 GiB; least recently used entries go first)
  ICUDA_OUTPUT_LIMIT     bytes of a cell's output shown before the rest goes to a file (default 4 MiB)
`;

/** Runs one command; returns the process exit code. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'install':
    case 'uninstall':
      return (await import('./cli/install-command.js')).run(command, rest);
    case 'kernel':
      return (await import('./cli/kernel-command.js')).run(rest);
    case 'cache':
      return (await import('./cli/cache-command.js')).run(rest);
    case 'host':
      return (await import('./cli/host-command.js')).run(rest);
    case 'run':
      return (await import('./cli/run-command.js')).run(rest);
    case 'doctor':
      return (await import('./cli/doctor-command.js')).run(rest);
    case '--version':
    case '-V':
      process.stdout.write(packageVersion + '\n');
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`icuda: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

/** Turns a thrown option error into a one-line message rather than a stack trace. */
function fail(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`icuda: ${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
