// Reads and validates a Jupyter connection file, and names the endpoint of each channel. The
// file is read synchronously: once, before the kernel serves anything, and without loading
// node:fs/promises, which nothing else needs before the first reply (~0.7 ms of the start).
import { getHashes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

export type SocketChannel = 'shell' | 'control' | 'stdin' | 'iopub' | 'hb';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

const CHANNELS: readonly SocketChannel[] = ['shell', 'control', 'stdin', 'iopub', 'hb'];

/** Why a connection file is unsafe to keep as it is (readable or writable by other users,
 * who could then sign messages and run code), or undefined when it is private. */
export async function connectionFileExposure(path: string): Promise<string | undefined> {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `connection file ${path} has mode ${mode.toString(8).padStart(3, '0')}: other users can read its key; it should be 600`;
}

/** Reads `path` and returns its validated contents; errors name the file and the bad value. */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new Error(`connection file ${path} is not valid JSON`, { cause });
  }
  try {
    return parseConnectionInfo(raw);
  } catch (cause) {
    throw new Error(`connection file ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** Validates the parsed contents of a connection file. */
export function parseConnectionInfo(raw: unknown): ConnectionInfo {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('expected a JSON object');
  const o = raw as Record<string, unknown>;
  const transport = o.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc') throw new Error(`transport must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  if (typeof o.ip !== 'string' || o.ip === '') throw new Error(`ip must be a non-empty string, got ${JSON.stringify(o.ip)}`);
  const key = o.key ?? '';
  if (typeof key !== 'string') throw new Error(`key must be a string, got ${typeof key}`);
  const scheme = o.signature_scheme ?? 'hmac-sha256';
  checkScheme(scheme);
  const ports = Object.fromEntries(CHANNELS.map((c) => [`${c}_port`, port(o, `${c}_port`)]));
  const name = typeof o.kernel_name === 'string' ? { kernel_name: o.kernel_name } : {};
  return { transport, ip: o.ip, key, signature_scheme: scheme, ...ports, ...name } as ConnectionInfo;
}

/** Returns the zeromq endpoint of one channel (ipc follows jupyter_client: `ipc://{ip}-{port}`). */
export function endpoint(info: ConnectionInfo, channel: SocketChannel): string {
  const p = info[`${channel}_port`];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${p}` : `ipc://${info.ip}-${p}`;
}

/** Returns the node hash name of an `hmac-<hash>` scheme, or throws. */
export function schemeHash(scheme: string): string {
  checkScheme(scheme);
  return scheme.slice('hmac-'.length);
}

/** Throws unless `scheme` is `hmac-<hash>` with a hash node's crypto supports. */
function checkScheme(scheme: unknown): asserts scheme is string {
  if (typeof scheme !== 'string' || !scheme.startsWith('hmac-')) {
    throw new Error(`signature_scheme must look like "hmac-sha256", got ${JSON.stringify(scheme)}`);
  }
  const hash = scheme.slice('hmac-'.length);
  if (!getHashes().includes(hash)) throw new Error(`signature_scheme ${JSON.stringify(scheme)}: hash "${hash}" is not supported`);
}

/** Reads one port field: an integer in 1..65535 (ipc uses the number as a file suffix). */
function port(o: Record<string, unknown>, field: string): number {
  const value = o[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${field} must be an integer port in 1..65535, got ${JSON.stringify(value)}`);
  }
  return value;
}
