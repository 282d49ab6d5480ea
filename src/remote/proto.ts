// proto/compute.proto loaded for @grpc/grpc-js, and the TypeScript shapes of its messages
// (snake_case as on the wire; enums as their names; absent fields as their defaults).
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../package-info.js';

export const PROTO_FILE = join(packageRoot, 'proto', 'compute.proto');
export const SERVICE_NAME = 'compute.CUDAExecutor';

export interface WorkspaceFile {
  name: string;
  content: Buffer;
}

export interface ComputeRequest {
  source_code: string;
  file_name: string;
  compiler_flags: string[];
  program_args: string[];
  env: Record<string, string>;
  timeout_s: number;
  files: WorkspaceFile[];
  stdin_data: Buffer;
  execution_count: number;
}

export type EventKind =
  | 'EVENT_KIND_UNSPECIFIED'
  | 'EVENT_KIND_STDOUT'
  | 'EVENT_KIND_STDERR'
  | 'EVENT_KIND_COMPILE_DIAGNOSTIC'
  | 'EVENT_KIND_STATUS'
  | 'EVENT_KIND_DISPLAY_DATA'
  | 'EVENT_KIND_EXIT';

export interface ComputeResponse {
  output: string;
  is_error: boolean;
  kind: EventKind;
  exit_code?: number;
  signal?: string;
  job_id?: string;
  queue_position?: number;
  error_name?: string;
  error_value?: string;
  traceback?: string[];
  display_json?: string;
}

/** What a DISPLAY_DATA event's display_json holds. */
export interface DisplayEvent {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  display_id?: string;
  /** Replaces the display with this id shown earlier. */
  update?: boolean;
}

/** A session cell (a cell without main) for the session `session_id` on the host. */
export interface SessionCellRequest {
  session_id: string;
  source_code: string;
  compiler_flags: string[];
  execution_count: number;
  timeout_s: number;
  check: boolean;
  nocache: boolean;
  /** The kernel expects the host to hold the session: NOT_FOUND when it does not. */
  require_existing: boolean;
  announce_hit: boolean;
}

export interface SessionRef {
  session_id: string;
}

export interface SessionReply {
  existed: boolean;
}

export interface SessionDescription {
  names: { name: string; kind: string; cell: number; signature: string }[];
  existed: boolean;
}

/** A unary call's callback. */
type Reply<T> = (error: grpc.ServiceError | null, reply?: T) => void;

/** A client of the service, with its calls typed. */
export interface ComputeClient extends grpc.Client {
  ExecuteCode(request: ComputeRequest, metadata: grpc.Metadata): grpc.ClientReadableStream<ComputeResponse>;
  RunSessionCell(request: SessionCellRequest, metadata: grpc.Metadata): grpc.ClientReadableStream<ComputeResponse>;
  ResetSession(
    request: SessionRef,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: Reply<SessionReply>,
  ): grpc.ClientUnaryCall;
  DescribeSession(
    request: SessionRef,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: Reply<SessionDescription>,
  ): grpc.ClientUnaryCall;
  EndSession(request: SessionRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Reply<SessionReply>): grpc.ClientUnaryCall;
  HoldSession(request: SessionRef, metadata: grpc.Metadata): grpc.ClientReadableStream<SessionReply>;
}

export interface Gpu {
  index: number;
  name: string;
  memory: string;
}

export interface InfoReply {
  gpus: Gpu[];
  driver_version: string;
  nvcc_version: string;
  running_jobs: number;
  queued_jobs: number;
  max_jobs: number;
  job_timeout_s: number;
  max_output_bytes: number;
  max_source_bytes: number;
  version: string;
  session_idle_s: number;
  max_sessions: number;
  open_sessions: number;
}

export interface ComputeService {
  service: grpc.ServiceDefinition;
  /** A client constructor for the service. */
  Client: grpc.ServiceClientConstructor;
}

let loaded: ComputeService | undefined;

/** Loads the service once: field names kept as written, enums as strings, defaults filled in. */
export function computeService(): ComputeService {
  if (loaded) return loaded;
  const definition = protoLoader.loadSync(PROTO_FILE, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    objects: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { compute: { CUDAExecutor: grpc.ServiceClientConstructor } };
  const Client = pkg.compute.CUDAExecutor;
  loaded = { service: Client.service, Client };
  return loaded;
}
