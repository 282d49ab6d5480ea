// The `icuda` command: read the settings once, hand the command line to the commander program
// (src/cli/program.ts), exit with the command's code. A usage error exits 2 with the command's
// usage; an error a command throws is one line on stderr, also exit 2.
import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { loadSettings } from './settings/settings.js';

/** Parses and runs; answers the exit code. */
async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram(loadSettings(), (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    process.stderr.write(`icuda: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

// A reader that went away (`icuda doctor | head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  () => (process.exitCode = 2),
);
