// A fresh connection file for a kernel this process starts: five free loopback ports and a
// random signing key, written with owner-only permissions.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { ConnectionInfo } from '../protocol/connection.js';

/** Asks the OS for `count` distinct free TCP ports on `ip`, holding them all until each is known. */
export async function freePorts(count: number, ip = '127.0.0.1'): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, ip, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Builds connection info on loopback with free ports and a random hex key. */
export async function newConnectionInfo(kernelName = 'icuda'): Promise<ConnectionInfo> {
  const [shell, control, stdin, iopub, hb] = await freePorts(5);
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    control_port: control,
    stdin_port: stdin,
    iopub_port: iopub,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: kernelName,
  };
}

/** Writes the connection file readable by this user only. */
export async function writeConnectionFile(path: string, info: ConnectionInfo): Promise<void> {
  await writeFile(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}
