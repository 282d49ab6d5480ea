// Who may run jobs: a bearer token in the call's metadata, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Metadata } from '@grpc/grpc-js';

/** Checks a call's metadata; true when it may proceed. */
export type Authorizer = (metadata: Metadata) => boolean;

/** Reads a token file: its first line, trimmed; an empty token is refused. */
export async function readToken(file: string): Promise<string> {
  const token = (await readFile(file, 'utf8')).split('\n')[0].trim();
  if (!token) throw new Error(`token file ${file} is empty`);
  return token;
}

/** No token configured: every call may proceed (loopback, or --insecure). */
export const allowAll: Authorizer = () => true;

/** Accepts `authorization: Bearer TOKEN`; digests make the compare constant-time whatever the lengths. */
export function bearerAuthorizer(token: string): Authorizer {
  const expected = digest(token);
  return (metadata) => {
    const header = metadata.get('authorization')[0];
    if (typeof header !== 'string') return false;
    const match = /^Bearer (.+)$/.exec(header.trim());
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

/** The header value a client sends. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
