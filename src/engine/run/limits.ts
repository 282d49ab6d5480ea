// The limits every program (and nvcc) runs under, in one place: set by the settings
// (ICUDA_MAX_FILE_SIZE, ICUDA_MAX_PROCESSES, ICUDA_COMPILE_TIMEOUT), shown by %limits, applied to a program through the shell's ulimit before it
// execs. No address-space limit: the CUDA runtime reserves huge virtual ranges, so memory is
// left to the OS; wall time is the kernel's own (%timeout, ICUDA_TIMEOUT).

export interface ProgramLimits {
  /** Largest file a program may write, in bytes (RLIMIT_FSIZE); 0 for no limit. */
  fileSizeBytes: number;
  /** Most processes the user may have while the program runs (RLIMIT_NPROC); 0 for no limit. */
  processes: number;
  /** Core dumps are always off: they fill disks and nobody reads them in a notebook. */
  coreDumps: false;
  /** Longest an nvcc run may take before it is killed, in seconds. */
  compileSeconds: number;
}

const GiB = 1024 ** 3;

/** The command that runs `binary args` under the limits: /bin/sh sets them, then execs it
 * (same pid, same descriptors). */
export function limitedCommand(limits: ProgramLimits, binary: string, args: string[]): [string, string[]] {
  return ['/bin/sh', ['-c', `${limitCommands(limits).join('; ')}; exec "$0" "$@"`, binary, ...args]];
}

/** The shell commands that set the limits. dash spells the process limit -p, bash -u. */
export function limitCommands(limits: ProgramLimits): string[] {
  const settings = ['ulimit -c 0'];
  if (limits.fileSizeBytes > 0) settings.push(`ulimit -f ${Math.max(1, Math.floor(limits.fileSizeBytes / 512))}`);
  if (limits.processes > 0) settings.push(`{ ulimit -u ${limits.processes} || ulimit -p ${limits.processes}; } 2>/dev/null`);
  return settings;
}

/** %limits: one line per limit, with the variable that changes it. */
export function describeLimits(limits: ProgramLimits, timeoutSeconds: number | undefined): string {
  const size = limits.fileSizeBytes ? `${(limits.fileSizeBytes / GiB).toFixed(limits.fileSizeBytes % GiB ? 2 : 0)} GiB` : 'none';
  return (
    [
      `wall time      ${timeoutSeconds ? `${timeoutSeconds} s` : 'none'} per cell (%timeout S for one cell, ICUDA_TIMEOUT for the kernel)`,
      `file size      ${size} per file written (ICUDA_MAX_FILE_SIZE)`,
      `processes      ${limits.processes || 'no limit'} for the user while a cell runs (ICUDA_MAX_PROCESSES)`,
      'core dumps     off',
      `compile time   ${limits.compileSeconds ? `${limits.compileSeconds} s` : 'none'} per nvcc run (ICUDA_COMPILE_TIMEOUT)`,
      'output shown   the display limit, see %output_limit',
      'memory         not limited: the CUDA runtime reserves large address ranges',
    ].join('\n') + '\n'
  );
}
