// The `icuda` command: parse the command line and hand over to one command module.
// Each command is imported on demand so `icuda kernel` loads only what a kernel needs.
import { packageVersion } from './package-info.js';

const USAGE = `icuda ${packageVersion}: a Jupyter kernel for CUDA

Usage:
  icuda install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT]
      Register the kernelspec (default: --user, name "icuda", display name "CUDA").
  icuda uninstall [--user | --sys-prefix | --prefix DIR] [--name NAME]
      Remove it.
  icuda kernel --connection-file FILE
      Run the kernel (what a Jupyter frontend starts through kernel.json).
  icuda --version | --help

Environment:
  ICUDA_LOG_LEVEL   pino level for the kernel's log on stderr (default info)
  ICUDA_TIMEOUT     default wall-clock limit of a cell in seconds (default none)
  NVCC, CUDA_HOME   where to find nvcc (then PATH, then /usr/local/cuda)
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
  (code) => { process.exitCode = code; },
  (error: unknown) => { process.exitCode = fail(error); },
);
