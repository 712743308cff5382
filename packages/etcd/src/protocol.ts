/**
 * The shapes of the etcd v3 JSON gateway messages this package reads. Fields at their proto3
 * default (0, false, empty, PUT) are left out by the gateway, hence every field is optional.
 * 64-bit integers are decimal strings; keys and values are base64.
 */

export interface ResponseHeader {
  readonly revision?: string;
}

export interface Kv {
  readonly key: string;
  readonly value?: string;
  readonly mod_revision?: string;
  readonly lease?: string;
}

export interface RangeResponse {
  readonly header?: ResponseHeader;
  readonly kvs?: readonly Kv[];
}

export interface WatchEvent {
  /** Absent for PUT (the enum's zero value). */
  readonly type?: 'PUT' | 'DELETE';
  readonly kv?: Kv;
}

export interface WatchResult {
  readonly header?: ResponseHeader;
  readonly created?: boolean;
  readonly canceled?: boolean;
  readonly compact_revision?: string;
  readonly cancel_reason?: string;
  readonly events?: readonly WatchEvent[];
}

/** One line of a streaming answer. */
export interface StreamMessage<T> {
  readonly result?: T;
  readonly error?: { readonly grpc_code?: number; readonly message?: string };
}

export type WatchMessage = StreamMessage<WatchResult>;

export interface LeaseGrantResponse {
  readonly ID?: string;
  readonly TTL?: string;
  readonly error?: string;
}

/** `TTL` is absent (0) when the lease no longer exists. */
export type KeepAliveMessage = StreamMessage<{ readonly ID?: string; readonly TTL?: string }>;

/** Message and gRPC code of a stream's error object. */
export function streamErrorDetail(error: NonNullable<StreamMessage<unknown>['error']>): { message: string; grpcCode: number | undefined } {
  const grpcCode = typeof error.grpc_code === 'number' ? error.grpc_code : undefined;
  return { message: String(error.message ?? 'unknown error'), grpcCode };
}

/** gRPC status names as etcd writes them in a watch's `cancel_reason`, and their codes. */
const GRPC_NAMES: Readonly<Record<string, number>> = {
  InvalidArgument: 3,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Unavailable: 14,
  Unauthenticated: 16,
};

/**
 * The gRPC code and description of a watch's `cancel_reason`, e.g. `"rpc error: code =
 * Unauthenticated desc = etcdserver: invalid auth token"` (how etcd refuses a watch for its
 * token or permissions); the reason as is, without a code, when it has another shape.
 */
export function cancelReasonDetail(reason: string | undefined): { message: string; grpcCode: number | undefined } {
  const text = reason ?? 'no reason given';
  const match = /^rpc error: code = (\w+) desc = (.*)$/s.exec(text);
  if (!match) return { message: text, grpcCode: undefined };
  return { message: match[2]!, grpcCode: GRPC_NAMES[match[1]!] };
}
