// Frames <-> messages: routing identities up to `<IDS|MSG>`, the signature, the four JSON frames
// (header, parent_header, metadata, content) and raw buffers, which are never signed.
import type { Header, JsonObject, Message } from './messages.js';
import type { Signer } from './signer.js';

export const DELIMITER = Buffer.from('<IDS|MSG>');

export type WireErrorCode = 'missing-delimiter' | 'too-few-frames' | 'bad-json' | 'bad-signature' | 'replayed';

/** Why a received multipart message could not be turned into a Message. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Decodes and verifies received frames; throws WireError when they are not a valid message. */
export function decodeFrames(frames: readonly Buffer[], signer: Signer): Message {
  const msg = decodeRequest(frames, signer);
  if (!isObject(msg.content)) throw new WireError('bad-json', 'content is not a JSON object');
  return msg as Message;
}

/** Decodes and verifies a request: as decodeFrames, but content may be any JSON value, for the
 * runtime to check against the request's schema and answer when it does not fit. */
export function decodeRequest(frames: readonly Buffer[], signer: Signer): Message<unknown> {
  const split = frames.findIndex((f) => f.equals(DELIMITER));
  if (split < 0) throw new WireError('missing-delimiter', `no <IDS|MSG> delimiter among ${frames.length} frames`);
  const rest = frames.slice(split + 1);
  if (rest.length < 5)
    throw new WireError('too-few-frames', `expected a signature and 4 JSON frames after the delimiter, got ${rest.length} frames`);
  const signature = rest[0].toString('utf8');
  const parts = rest.slice(1, 5);
  const verdict = signer.verify(signature, parts);
  if (verdict === 'invalid') throw new WireError('bad-signature', 'signature does not match');
  if (verdict === 'replayed') throw new WireError('replayed', 'signature seen before (replayed message)');
  const [header, parent, metadata] = parts.slice(0, 3).map(parseObject);
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') {
    throw new WireError('bad-json', 'header has no msg_type or msg_id string');
  }
  return {
    identities: frames.slice(0, split),
    header: header as Header,
    parent_header: parent,
    metadata: metadata,
    content: parseJson(parts[3], 'content'),
    buffers: rest.slice(5),
  };
}

/** Encodes a message as frames, signing the four JSON frames. */
export function encodeMessage(msg: Message, signer: Signer): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p), 'utf8'));
  return [...msg.identities, DELIMITER, Buffer.from(signer.sign(parts), 'utf8'), ...parts, ...msg.buffers];
}

/** Parses one JSON frame that must hold an object. */
function parseObject(frame: Buffer, index: number): JsonObject {
  const name = ['header', 'parent_header', 'metadata'][index];
  const value = parseJson(frame, name);
  if (!isObject(value)) throw new WireError('bad-json', `${name} is not a JSON object`);
  return value;
}

/** Parses one JSON frame. */
function parseJson(frame: Buffer, name: string): unknown {
  try {
    return JSON.parse(frame.toString('utf8'));
  } catch (cause) {
    throw new WireError('bad-json', `${name} is not valid JSON`, { cause });
  }
}

/** Whether a parsed JSON value is an object (not null, not an array). */
function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
