// Checks a job request before anything runs: sizes, a safe file name, and nvcc flags that would
// write outside the job's directory.
import { basename } from 'node:path';
import type { ComputeRequest, SessionCellRequest } from '../remote/proto.js';

/** Flags naming an output place (or a file of more flags, which could name one), as `-o F`, `-oF`, `--flag=F` or `--flag F`. */
const OUTPUT_FLAGS = [
  '-o',
  '--output-file',
  '--output-directory',
  '-odir',
  '--keep-dir',
  '-keep-dir',
  '--dependency-output',
  '-MF',
  '--options-file',
  '-optf',
];

/** A call refused, as gRPC sends it: a status code and a message saying why. */
export interface Refusal {
  code: number;
  details: string;
}

/** A request refused: the message says which limit or flag. */
export class RequestError extends Error {
  override name = 'RequestError';
}

/** A label for diagnostics and a name on disk: the base name, only safe characters, never empty. */
export function safeFileName(name: string): string {
  const base = basename(name.replaceAll('\\', '/'))
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '');
  return base === '' ? 'cell.cu' : base.slice(0, 100);
}

/** Harmless flags that merely start like one of those. */
const LOOKALIKES = /^(-opt-info|--optimization-info)(=|$)/;

/** The first flag that would write outside the job directory, or undefined. */
export function outputFlag(flags: string[]): string | undefined {
  return flags.find(
    (flag) =>
      !LOOKALIKES.test(flag) &&
      OUTPUT_FLAGS.some((bad) => flag === bad || flag.startsWith(bad + '=') || (!bad.startsWith('--') && flag.startsWith(bad))),
  ); // short flags also take their value attached
}

/** Throws RequestError when the request breaks a limit or a rule. */
export function checkRequest(request: ComputeRequest, maxSourceBytes: number): void {
  checkSourceAndFlags(request, maxSourceBytes);
  for (const file of request.files) {
    if (safeFileName(file.name) !== file.name)
      throw new RequestError(`workspace file name ${JSON.stringify(file.name)} is not a plain base name`);
    if (file.name === 'cell.cu' || file.name === 'prog')
      throw new RequestError(`workspace file name ${JSON.stringify(file.name)} is reserved`);
  }
}

/** Throws RequestError when a session cell breaks a limit or a rule, or names no usable session. */
export function checkSessionRequest(request: SessionCellRequest, maxSourceBytes: number): void {
  checkSessionId(request.session_id);
  checkSourceAndFlags(request, maxSourceBytes);
}

/** A session id is what a kernel makes (a UUID): 1 to 100 letters, digits, `-` and `_`. */
export function checkSessionId(id: string): void {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id))
    throw new RequestError(`session id ${JSON.stringify(id.slice(0, 120))} is not 1 to 100 letters, digits, "-" or "_"`);
}

/** The source within the size limit, and no flag writing outside the job directory. */
function checkSourceAndFlags(request: { source_code: string; compiler_flags: string[] }, maxSourceBytes: number): void {
  const size = Buffer.byteLength(request.source_code);
  if (size > maxSourceBytes) throw new RequestError(`source is ${size} bytes; this host accepts at most ${maxSourceBytes}`);
  const bad = outputFlag(request.compiler_flags);
  if (bad) throw new RequestError(`flag ${JSON.stringify(bad)} would write outside the job directory; the host refuses it`);
}
