// `icuda host`: the GPU host daemon. Loopback by default; any other address needs TLS and a
// token unless --insecure. SIGTERM/SIGINT stop it gracefully.
import { createHost, type HostLimits } from '../host/server.js';
import { probeMachine } from '../host/info.js';
import { createLogger } from '../log.js';
import { allowAll, bearerAuthorizer, readToken } from '../remote/auth.js';
import { isLoopback, serverCredentials, splitAddress } from '../remote/tls.js';
import type { Settings } from '../settings/settings.js';
import type { HostOptions } from './options.js';

/** Runs the host until SIGTERM or SIGINT; returns the exit code. */
export async function run(options: HostOptions, settings: Settings): Promise<number> {
  const { host, port } = listenAddress(options.listen);
  const secured = checkExposure(host, options);
  const log = createLogger({ level: settings.logLevel ?? 'info' }).child({ component: 'host' });
  for (const problem of [...settings.warnings, ...settings.errors]) log.warn(problem);
  if (!secured)
    log.warn(`INSECURE: listening on ${options.listen} without TLS and/or a token (--insecure); anyone who can reach it can run code here`);
  const machine = await probeMachine(settings.env);
  const limits: HostLimits = {
    maxJobs: options.maxJobs ?? Math.max(1, machine.gpus.length),
    jobTimeoutS: options.jobTimeout,
    maxOutputBytes: options.maxOutput,
    maxSourceBytes: options.maxSource,
    maxSessions: options.maxSessions,
    sessionIdleS: options.sessionIdle,
  };
  const token = options.tokenFile ? await readToken(options.tokenFile) : undefined;
  const hostd = createHost({ limits, authorize: token ? bearerAuthorizer(token) : allowAll, machine, log, settings });
  const creds = await serverCredentials({ cert: options.tlsCert, key: options.tlsKey, clientCa: options.tlsClientCa });
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const bound = await new Promise<number>((resolve, reject) =>
    hostd.server.bindAsync(address, creds, (error, actual) => (error ? reject(error) : resolve(actual))),
  );
  const auth = token ? 'bearer token' : 'none';
  log.info(
    {
      listen: `${host}:${bound}`,
      tls: Boolean(options.tlsCert),
      mtls: Boolean(options.tlsClientCa),
      auth,
      limits,
      gpus: machine.gpus.length,
    },
    'icuda host listening',
  );
  await stopped(hostd, options.grace * 1000, log);
  log.info('icuda host stopped');
  return 0;
}

/** Resolves once SIGTERM or SIGINT stopped the host (running jobs get `graceMs`). */
function stopped(hostd: ReturnType<typeof createHost>, graceMs: number, log: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal, graceMs }, 'stopping');
      hostd.shutdown(graceMs).then(resolve, (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** --listen's HOST:PORT, or an error naming the option. */
function listenAddress(listen: string): { host: string; port: number } {
  try {
    return splitAddress(listen);
  } catch (error) {
    throw new Error(`--listen ${(error as Error).message}`, { cause: error });
  }
}

/** Beyond loopback: TLS and a token, or --insecure; answers whether the host is secured. */
function checkExposure(host: string, options: HostOptions): boolean {
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw new Error('--tls-cert and --tls-key go together');
  if (options.tlsClientCa && !options.tlsCert) throw new Error('--tls-client-ca needs --tls-cert and --tls-key');
  if (isLoopback(host)) return true;
  const secured = Boolean(options.tlsCert) && Boolean(options.tokenFile);
  if (!secured && !options.insecure) {
    throw new Error(
      `refusing to listen on ${host} (not loopback) without --tls-cert/--tls-key and --token-file; pass --insecure to do it anyway`,
    );
  }
  return secured;
}
