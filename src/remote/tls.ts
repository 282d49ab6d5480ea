// TLS for the gRPC contract, both ends: the host's server credentials (with client certificates
// required when a client CA is given) and the remote executor's channel credentials (TLS unless
// the host is loopback and nothing asks for it), and what counts as loopback.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';

/** "HOST:PORT" (HOST may be [v6]); throws on anything else. */
export function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`${JSON.stringify(address)}: expected HOST:PORT`);
  return { host: match[1] ?? match[2], port: Number(match[3]) };
}

/** Whether a host name or address is loopback only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export interface ServerTls {
  cert?: string;
  key?: string;
  /** Client certificates signed by this CA are required. */
  clientCa?: string;
}

/** TLS credentials from PEM files (client certificates required when clientCa), else plaintext. */
export async function serverCredentials(tls: ServerTls): Promise<grpc.ServerCredentials> {
  if (!tls.cert || !tls.key) return grpc.ServerCredentials.createInsecure();
  const ca = tls.clientCa ? await readFile(tls.clientCa) : null;
  const pair = { cert_chain: await readFile(tls.cert), private_key: await readFile(tls.key) };
  return grpc.ServerCredentials.createSsl(ca, [pair], ca !== null);
}

export interface ChannelTls {
  /** HOST:PORT of the GPU host. */
  host: string;
  /** The CA that signed the host's certificate: TLS on. */
  tlsCa?: string;
  /** Client certificate and key, for a host that asks for them (mTLS). */
  tlsCert?: string;
  tlsKey?: string;
  /** on/off forces TLS; auto: on unless the host is loopback without a CA. */
  tls: 'on' | 'off' | 'auto';
}

/** The remote executor's credentials: TLS when asked for or when the host is not loopback. */
export async function channelCredentials(options: ChannelTls): Promise<grpc.ChannelCredentials> {
  const loopback = isLoopback(safeHost(options.host));
  const tls = options.tls === 'on' || (options.tls === 'auto' && (Boolean(options.tlsCa) || !loopback));
  if (!tls) return grpc.credentials.createInsecure();
  const read = async (file?: string) => (file ? readFile(file) : null);
  return grpc.credentials.createSsl(await read(options.tlsCa), await read(options.tlsKey), await read(options.tlsCert));
}

/** The host part of HOST:PORT, or '' when it is not of that form. */
function safeHost(address: string): string {
  try {
    return splitAddress(address).host;
  } catch {
    return '';
  }
}
