/**
 * A load report: what an instance says about its own load, as ORCA's `OrcaLoadReport` (the
 * `endpoint-load-metrics` response header that Envoy and gRPC read; see `orca-header.ts`).
 * Field names are the proto's in camelCase; a field the instance did not send is absent.
 */

/** One instance's report of its own load, from one response. */
export interface LoadReport {
  /** CPU in use as a fraction of the instance's CPU (>= 0; above 1 past the instance's soft limit). */
  readonly cpuUtilization?: number;
  /** Memory in use as a fraction of the instance's memory (0 to 1). */
  readonly memUtilization?: number;
  /**
   * The instance's own measure of how busy it is, as a fraction (>= 0). When above 0 it takes
   * the place of `cpuUtilization` in weights (gRFC A58).
   */
  readonly applicationUtilization?: number;
  /** Requests per second the instance serves, from all its clients (>= 0). */
  readonly rpsFractional?: number;
  /** Errors per second the instance serves (>= 0). */
  readonly eps?: number;
  /** Free-form metrics by name (`named_metrics.<name>`), any finite number. */
  readonly namedMetrics?: Readonly<Record<string, number>>;
  /** Utilization of named resources, fractions from 0 to 1 (`utilization.<name>`). */
  readonly utilization?: Readonly<Record<string, number>>;
  /** Cost of this request by name (`request_cost.<name>`), any finite number. */
  readonly requestCost?: Readonly<Record<string, number>>;
}

/**
 * What reading a response's load report gave:
 * - `accepted`: a TEXT or JSON report that parsed and whose numbers are in range;
 * - `invalid`: garbage, cut short, out of range, unknown fields, over the length cap: ignored;
 * - `unsupported`: a well-formed report in a form not read here (binary, `BIN ` or
 *   `endpoint-load-metrics-bin`): ignored.
 */
export type LoadReportResult = 'accepted' | 'invalid' | 'unsupported';

/** A parsed header: the report, or why it was ignored (`detail`, for humans). */
export type LoadReportReading =
  | { readonly result: 'accepted'; readonly report: LoadReport }
  | { readonly result: 'invalid' | 'unsupported'; readonly detail: string };
