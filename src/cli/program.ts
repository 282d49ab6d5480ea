// The `icuda` command line on commander: every command and option with its meaning and default,
// `--help` for each, and usage errors (an unknown option, a missing value) answered with the
// command's usage and exit code 2. Each command's module is imported only when it runs, so
// `icuda kernel` loads only what a kernel needs.
import { Command, InvalidArgumentError, Option } from 'commander';
import { packageVersion } from '../package-info.js';
import { describeSettings, type Settings } from '../settings/settings.js';
import type { CompareOptions, HostOptions, InstallOptions, LocationOptions, RunOptions } from './options.js';

/** Runs a command with the settings; answers its exit code. */
type Action<O> = (options: O, settings: Settings) => Promise<number>;

/** The program; `run` receives each command's exit code. */
export function buildProgram(settings: Settings, done: (code: number) => void): Command {
  const program: Command = new Command('icuda')
    .description('A Jupyter kernel for CUDA: each cell a CUDA program, compiled by nvcc and streamed live.')
    .version(packageVersion, '-V, --version')
    .showHelpAfterError(true) // a usage error is followed by that command's help (inherited by the subcommands)
    .addHelpText('after', (): string => synopsis(program) + environmentHelp())
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .exitOverride(); // commander throws instead of exiting: main.ts turns a usage error into exit code 2
  const action =
    <O>(run: Action<O>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const positionals = (args.slice(0, -2) as (string | string[])[]).flat();
      done(await run({ ...command.opts(), args: positionals } as O, settings));
    };
  program.on('command:*', ([name]: string[]) => {
    const known = program.commands.map((c) => c.name()).join(', ');
    program.error(`error: unknown command ${JSON.stringify(name)} (the commands: ${known})`, {
      exitCode: 2,
      code: 'commander.unknownCommand',
    });
  });
  addInstall(program, action);
  program
    .command('kernel')
    .usage('--connection-file FILE')
    .description('Run the kernel (what a Jupyter frontend starts through kernel.json).')
    .requiredOption('-f, --connection-file <file>', 'the connection file Jupyter wrote')
    .action(action(async (o: { connectionFile: string }, s) => (await import('./kernel-command.js')).run(o.connectionFile, s)));
  addHost(program, action);
  program
    .command('run')
    .usage('NOTEBOOK.ipynb [-o OUT.ipynb | -o -] [--timeout S] [--allow-errors]')
    .description('Execute a notebook headless through a real kernel (no Python needed); writes NAME.nbconvert.ipynb by default.')
    .argument('[notebook...]', 'the .ipynb file to run (one)')
    .option('-o, --output <file>', 'where to write the executed notebook; - for stdout', undefined)
    .option('--timeout <seconds>', 'interrupt a cell after this many seconds (the run fails)', seconds('--timeout'))
    .option('--allow-errors', 'go on after a failing cell; exit 0', false)
    .action(action(async (o: RunOptions, s) => (await import('./run-command.js')).run(o, s)));
  program
    .command('compare')
    .usage('BASE.ipynb NEW.ipynb [--format text|md|json] [--fail-above PCT]')
    .description('Compare the %bench results of two executed notebooks; exit 1 when one slowed down beyond --fail-above.')
    .argument('[notebooks...]', 'the base and the new notebook')
    .addOption(new Option('--format <format>', 'how to print the comparison').choices(['text', 'md', 'json']).default('text'))
    .option(
      '--fail-above <percent>',
      'exit 1 when a result is slower by more than this (and more than its noise), e.g. 5%',
      percent('--fail-above'),
    )
    .action(action(async (o: CompareOptions) => (await import('./compare-command.js')).run(o)));
  program
    .command('doctor')
    .description('Check the toolchain, GPU, Jupyter, kernelspec and settings; print a fix for each problem.')
    .action(action(async (_o, s) => (await import('./doctor-command.js')).run(s)));
  const cache = program.command('cache').usage('clear | info').description('The compile cache.');
  cache
    .command('clear')
    .description('Empty the compile cache.')
    .action(action(async (_o, s) => (await import('./cache-command.js')).run('clear', s)));
  cache
    .command('info')
    .description('Show where the compile cache is and its size.')
    .action(action(async (_o, s) => (await import('./cache-command.js')).run('info', s)));
  return program;
}

/** The options that say where a kernelspec goes. */
function withLocation(command: Command): Command {
  return command
    .option('--user', "the user's Jupyter data dir (default; honours JUPYTER_DATA_DIR)")
    .option('--sys-prefix', 'the active venv or conda env')
    .option('--prefix <dir>', 'DIR/share/jupyter')
    .option('--name <name>', 'the kernelspec name', 'icuda');
}

/** install and uninstall. */
function addInstall(program: Command, action: <O>(run: Action<O>) => (...args: unknown[]) => Promise<void>): void {
  withLocation(program.command('install'))
    .usage('[--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT] [--executor local|remote|slurm ...]')
    .description('Register the kernelspec (and the JupyterLab extension) where Jupyter looks; no Python needed.')
    .option('--display-name <text>', 'the name the launcher shows', 'CUDA')
    .addOption(new Option('--executor <where>', 'where cells run').choices(['local', 'remote', 'slurm']).default('local'))
    .option('--host <host:port>', 'the GPU host (--executor remote)')
    .option('--tls-ca <file>', "CA certificate of the GPU host's TLS (--executor remote)")
    .option('--token-file <file>', 'bearer token for the GPU host (--executor remote)')
    .option('--slurm-args <options>', 'srun options, e.g. "-p gpu --gres=gpu:1" (--executor slurm)')
    .option('--slurm-scratch <dir>', 'a directory every Slurm node sees (--executor slurm)')
    .action(action(async (o: InstallOptions, s) => (await import('./install-command.js')).install(o, s)));
  withLocation(program.command('uninstall'))
    .usage('[--user | --sys-prefix | --prefix DIR] [--name NAME]')
    .description('Remove the kernelspec (and the JupyterLab extension installed with it).')
    .action(action(async (o: LocationOptions, s) => (await import('./install-command.js')).uninstall(o, s)));
}

/** host. */
function addHost(program: Command, action: <O>(run: Action<O>) => (...args: unknown[]) => Promise<void>): void {
  program
    .command('host')
    .usage('[--listen HOST:PORT] [--tls-cert F --tls-key F [--tls-client-ca F]] [--token-file F] [--insecure] [--max-jobs N] ...')
    .description("Serve this machine's GPUs to remote kernels over gRPC (loopback only unless TLS and a token, or --insecure).")
    .option('--listen <host:port>', 'the address to listen on', '127.0.0.1:50051')
    .option('--tls-cert <file>', 'server certificate (PEM); with --tls-key')
    .option('--tls-key <file>', 'its private key (PEM)')
    .option('--tls-client-ca <file>', 'require client certificates signed by this CA (mTLS)')
    .option('--token-file <file>', 'require this bearer token (its first line)')
    .option('--insecure', 'allow a non-loopback address without TLS and a token (loudly logged)', false)
    .option('--max-jobs <n>', 'jobs run at once; later ones queue (default: one per GPU)', whole('--max-jobs', 1))
    .option('--job-timeout <seconds>', "a job's wall-time limit; 0 for none", seconds('--job-timeout', true), 0)
    .option('--max-output <bytes>', "a job's output limit", whole('--max-output', 1), 64 * 1024 * 1024)
    .option('--max-source <bytes>', "a job's source size limit", whole('--max-source', 1), 1024 * 1024)
    .option('--max-sessions <n>', 'kernels whose session cells the host keeps at once; more are refused', whole('--max-sessions', 1), 8)
    .option('--session-idle <seconds>', 'a session that runs no cell this long ends; 0 for never', seconds('--session-idle', true), 1800)
    .option('--grace <seconds>', 'on SIGTERM, how long running jobs may finish', seconds('--grace', true), 30)
    .action(action(async (o: HostOptions, s) => (await import('./host-command.js')).run(o, s)));
}

/** A parser for a number of seconds (above 0, or 0 too), quoting a bad value. */
function seconds(flag: string, zero = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (!zero && n === 0))
      throw new InvalidArgumentError(
        `${flag} must be ${zero ? 'a number of seconds, 0 or more' : 'a positive number of seconds'}, got ${JSON.stringify(value)}`,
      );
    return n;
  };
}

/** A parser for a percentage ("5%", "5", "0.5%") as a fraction, quoting a bad value. */
function percent(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value.trim().replace(/%$/, ''));
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new InvalidArgumentError(`${flag} must be a percentage such as 5%, got ${JSON.stringify(value)}`);
    return n / 100;
  };
}

/** A parser for a whole number of at least `min`, quoting a bad value. */
function whole(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${flag} must be a whole number, ${min} or more, got ${JSON.stringify(value)}`);
    return n;
  };
}

/** Each command's usage on a line of its own, as the help's synopsis. */
function synopsis(program: Command): string {
  const lines = program.commands.filter((c) => c.name() !== 'help').map((c) => `  icuda ${c.name()} ${c.usage()}`);
  return `\nSynopsis (icuda COMMAND --help explains each option):\n${lines.join('\n')}\n`;
}

/** `icuda --help`'s environment section, from the settings table. */
function environmentHelp(): string {
  const rows = describeSettings();
  const width = Math.max(...rows.map((r) => r.variable.length));
  const lines = rows.map((r) => `  ${r.variable.padEnd(width)}  ${r.meaning}${r.shown ? ` (default: ${r.shown})` : ''}`);
  return `\nEnvironment (read once at start; an invalid value is reported and its default used):\n${lines.join('\n')}\n`;
}
