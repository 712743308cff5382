/**
 * Why a health check failed, as the short `detail` string of a `HealthCheckEvent`
 * (`status 500`, `redirect 302`, `timeout`, `ECONNREFUSED`).
 */
import { redactText } from '../redact.js';

/** A failed check with a ready-made detail (the HTTP check's `status 503`, `redirect 302`...). */
export class HealthCheckFailure extends Error {
  override readonly name = 'HealthCheckFailure';
  constructor(
    /** Short reason shown in events and logs, e.g. `status 503`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`health check failed: ${detail}`, options);
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
