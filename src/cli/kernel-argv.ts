// The command line a kernelspec writes, `icuda kernel --connection-file FILE`, recognised
// without commander: a kernel's start is timed to its first reply, and three words need no
// parser. Any other command line goes to commander (src/cli/program.ts), which checks it.

/** The connection file of exactly `kernel --connection-file FILE` or `kernel -f FILE`;
 * undefined for any other command line. */
export function kernelConnectionFile(argv: readonly string[]): string | undefined {
  const [command, flag, file, ...rest] = argv;
  const plain = command === 'kernel' && (flag === '--connection-file' || flag === '-f') && rest.length === 0;
  return plain && file !== undefined && file !== '' && !file.startsWith('-') ? file : undefined;
}
