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

/** A client of the service, with its two calls typed. */
export interface ComputeClient extends grpc.Client {
  ExecuteCode(request: ComputeRequest, metadata: grpc.Metadata): grpc.ClientReadableStream<ComputeResponse>;
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
