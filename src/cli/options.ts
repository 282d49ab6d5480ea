// The parsed options of each command, as commander hands them over (program.ts defines them).

export interface RunOptions {
  args: string[];
  output?: string;
  timeout?: number;
  allowErrors: boolean;
}

export interface LocationOptions {
  user?: boolean;
  sysPrefix?: boolean;
  prefix?: string;
  name: string;
}

export interface InstallOptions extends LocationOptions {
  displayName: string;
  executor: 'local' | 'remote' | 'slurm';
  host?: string;
  tlsCa?: string;
  tokenFile?: string;
  slurmArgs?: string;
  slurmScratch?: string;
}

export interface HostOptions {
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  tokenFile?: string;
  insecure: boolean;
  maxJobs?: number;
  jobTimeout: number;
  maxOutput: number;
  maxSource: number;
  maxSessions: number;
  sessionIdle: number;
  grace: number;
}

export interface CompareOptions {
  args: string[];
  format: 'text' | 'md' | 'json';
  /** A fraction (0.05 for --fail-above 5%). */
  failAbove?: number;
}
