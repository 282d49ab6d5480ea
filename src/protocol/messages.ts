// Message types of the Jupyter wire protocol and the header builder. snake_case lives here and
// in the other src/protocol files only.
import { v4 as uuid } from 'uuid';

/** The protocol version this runtime speaks. */
export const PROTOCOL_VERSION = '5.5';

export type RequestChannel = 'shell' | 'control';
export type Channel = RequestChannel | 'stdin' | 'iopub';
export type JsonObject = Record<string, unknown>;

export interface Header {
  msg_id: string;
  msg_type: string;
  username: string;
  session: string;
  date: string;
  version: string;
  [field: string]: unknown;
}

/** One decoded message: routing identities, the four JSON parts and raw buffers. A request
 * as received has `unknown` content until it is checked (content.ts). */
export interface Message<Content = JsonObject> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | JsonObject;
  metadata: JsonObject;
  content: Content;
  buffers: Buffer[];
}

/** Who the kernel is on the messages it sends. */
export interface Session {
  id: string;
  username: string;
}

/** Creates the kernel's session with a fresh id. */
export function createSession(username = 'icuda'): Session {
  return { id: uuid(), username };
}

/** Builds the header of a message the kernel sends. */
export function createHeader(session: Session, msgType: string): Header {
  return {
    msg_id: uuid(),
    msg_type: msgType,
    username: session.username,
    session: session.id,
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** Builds a message in reply to (or caused by) `parent`; replies keep the parent's identities. */
export function createMessage(
  session: Session,
  msgType: string,
  content: object,
  parent?: Message<unknown>,
  identities: Buffer[] = parent?.identities ?? [],
): Message {
  return {
    identities,
    header: createHeader(session, msgType),
    parent_header: parent ? { ...parent.header } : {},
    metadata: {},
    content: content as JsonObject,
    buffers: [],
  };
}

/** The reply type of a request type: `x_request` -> `x_reply`. */
export function replyType(requestType: string): string {
  return requestType.replace(/_request$/, '_reply');
}
