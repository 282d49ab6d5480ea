// `icuda host`: the GPU host daemon. Loopback by default; any other address needs TLS and a
// token unless --insecure. SIGTERM/SIGINT stop it gracefully.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { createLogger } from '../log.js';
import { allowAll, bearerAuthorizer, readToken } from '../remote/auth.js';
import { probeMachine } from '../host/info.js';
import { createHost, type HostLimits } from '../host/server.js';

const OPTIONS = {
  listen: { type: 'string', default: '127.0.0.1:50051' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'token-file': { type: 'string' },
  insecure: { type: 'boolean', default: false },
  'max-jobs': { type: 'string' },
  'job-timeout': { type: 'string', default: '0' },
  'max-output': { type: 'string', default: String(64 * 1024 * 1024) },
  'max-source': { type: 'string', default: String(1024 * 1024) },
  grace: { type: 'string', default: '30' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Runs the host until SIGTERM or SIGINT; returns the exit code. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const log = createLogger().child({ component: 'host' });
  const { host, port } = splitAddress(values.listen);
  const secured = checkExposure(host, values);
  if (!secured)
    log.warn(`INSECURE: listening on ${values.listen} without TLS and/or a token (--insecure); anyone who can reach it can run code here`);
  const machine = await probeMachine(process.env);
  const limits: HostLimits = {
    maxJobs: values['max-jobs'] ? positive(values['max-jobs'], '--max-jobs') : Math.max(1, machine.gpus.length),
    jobTimeoutS: nonNegative(values['job-timeout'], '--job-timeout'),
    maxOutputBytes: positive(values['max-output'], '--max-output'),
    maxSourceBytes: positive(values['max-source'], '--max-source'),
  };
  const token = values['token-file'] ? await readToken(values['token-file']) : undefined;
  const hostd = createHost({ limits, authorize: token ? bearerAuthorizer(token) : allowAll, machine, log, env: process.env });
  const creds = await credentials(values);
  const bound = await new Promise<number>((resolve, reject) =>
    hostd.server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, creds, (error, actual) =>
      error ? reject(error) : resolve(actual),
    ),
  );
  log.info(
    {
      listen: `${host}:${bound}`,
      tls: Boolean(values['tls-cert']),
      mtls: Boolean(values['tls-client-ca']),
      auth: token ? 'bearer token' : 'none',
      limits,
      gpus: machine.gpus.length,
    },
    'icuda host listening',
  );
  const graceMs = nonNegative(values.grace, '--grace') * 1000;
  await new Promise<void>((resolve) => {
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
  log.info('icuda host stopped');
  return 0;
}

/** "HOST:PORT" (HOST may be [v6]); throws on anything else. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`--listen ${JSON.stringify(address)}: expected HOST:PORT`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}

/** Whether a host name or address is loopback only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** Beyond loopback: TLS and a token, or --insecure; answers whether the host is secured. */
function checkExposure(host: string, values: Values): boolean {
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) throw new Error('--tls-cert and --tls-key go together');
  if (values['tls-client-ca'] && !values['tls-cert']) throw new Error('--tls-client-ca needs --tls-cert and --tls-key');
  if (isLoopback(host)) return true;
  const secured = Boolean(values['tls-cert']) && Boolean(values['token-file']);
  if (!secured && !values.insecure) {
    throw new Error(
      `refusing to listen on ${host} (not loopback) without --tls-cert/--tls-key and --token-file; pass --insecure to do it anyway`,
    );
  }
  return secured;
}

/** TLS credentials (with client certificates required when --tls-client-ca), else plaintext. */
async function credentials(values: Values): Promise<grpc.ServerCredentials> {
  if (!values['tls-cert'] || !values['tls-key']) return grpc.ServerCredentials.createInsecure();
  const ca = values['tls-client-ca'] ? await readFile(values['tls-client-ca']) : null;
  const pair = { cert_chain: await readFile(values['tls-cert']), private_key: await readFile(values['tls-key']) };
  return grpc.ServerCredentials.createSsl(ca, [pair], ca !== null);
}

function positive(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} ${JSON.stringify(raw)}: expected a positive number`);
  return value;
}

function nonNegative(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} ${JSON.stringify(raw)}: expected a number >= 0`);
  return value;
}
