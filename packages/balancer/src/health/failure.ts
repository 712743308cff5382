/**
 * Why a health check failed, as the short `detail` string of a `HealthCheckEvent`
 * (`status 500`, `redirect 302`, `timeout`, `ECONNREFUSED`).
 */
import type { LoadReport } from '../load/load-report.js';
import { redactText } from '../redact.js';

/**
 * A failed check with a ready-made detail. Custom checks may throw it too, with the load the
 * instance reported while failing (`loadReport`, as in `HealthCheckResult`): a 503 from an
 * overloaded instance still says how busy it is, and it stays in rotation until the unhealthy
 * threshold is reached.
 */
export class HealthCheckFailure extends Error {
  override readonly name = 'HealthCheckFailure';
  /** The load the instance reported with the failing check, if any (see `HealthCheckResult.loadReport`). */
  readonly loadReport: LoadReport | string | undefined;
  constructor(
    /** Short reason shown in events and logs, e.g. `status 503`. */
    readonly detail: string,
    options?: { cause?: unknown; loadReport?: LoadReport | string | undefined },
  ) {
    super(`health check failed: ${detail}`, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.loadReport = options?.loadReport;
  }
}

/** The reason used when the checker aborts a check at its timeout. */
export class HealthCheckTimeout extends HealthCheckFailure {
  constructor(timeoutMs: number) {
    super('timeout');
    this.message = `health check timed out after ${timeoutMs} ms`;
  }
}

/**
 * Describes a rejection: its string `detail` if it has one (duck-typed, so it survives duplicate
 * installs), else its string `code` (`ECONNRESET`), else its message, else its string form.
 * Redacted: a custom check's message may name a URL with credentials.
 */
export function describeFailure(error: unknown): string {
  return redactText(rawDescription(error));
}

function rawDescription(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { detail, code, message } = error as { detail?: unknown; code?: unknown; message?: unknown };
    if (typeof detail === 'string' && detail) return detail;
    if (typeof code === 'string' && code) return code;
    if (typeof message === 'string' && message) return message;
  }
  return String(error);
}
