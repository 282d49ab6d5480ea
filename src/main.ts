// The `icuda` command: read the settings once, hand the command line to the commander program
// (src/cli/program.ts), exit with the command's code. A usage error exits 2 with the command's
// usage; an error a command throws is one line on stderr, also exit 2. The kernelspec's own
// command line goes straight to the kernel (kernel-argv.ts): commander is loaded only for
// the others.
import { fileURLToPath } from 'node:url';
import { kernelConnectionFile } from './cli/kernel-argv.js';
import { loadSettings, type Settings } from './settings/settings.js';
import { mapStackTraces } from './stack-maps.js';

// Stack traces name src/ files, from the source maps beside the built files (this one's folder).
mapStackTraces(fileURLToPath(new URL('.', import.meta.url)));

/** Parses and runs; answers the exit code. */
async function main(argv: string[]): Promise<number> {
  const settings = loadSettings();
  const file = kernelConnectionFile(argv);
  try {
    if (file !== undefined) return await (await import('./cli/kernel-command.js')).run(file, settings);
    return await runProgram(argv, settings);
  } catch (error) {
    process.stderr.write(`icuda: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** Runs any command line through commander; a usage error is exit code 2. */
async function runProgram(argv: string[], settings: Settings): Promise<number> {
  // A reader that went away (`icuda doctor | head`) is not an error of ours. (Not for the kernel,
  // which never writes to stdout: making the stream costs its start ~2 ms.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const [{ buildProgram }, { CommanderError }] = await Promise.all([import('./cli/program.js'), import('commander')]);
  let code = 0;
  const program = buildProgram(settings, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = 2),
);
