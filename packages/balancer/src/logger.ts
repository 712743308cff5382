/**
 * The logging interface: the subset of pino's API the balancer uses, so a pino logger (or any
 * compatible one: bunyan-style `child`, level methods taking `(fields, message)`) can be passed.
 * Silent by default.
 */
import { redactText } from './redact.js';

export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  /** A logger that adds `bindings` to every line (pino's `child`). */
  child(bindings: Record<string, unknown>): Logger;
}

const noop = (): void => {};

/** A logger that discards everything. */
export const silentLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
});

/**
 * Serialises an unknown error for a log line without its stack, its message redacted (URLs in
 * it lose their userinfo and query values: `http://***@host`). Never throws.
 */
export function errorFields(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = redactText(String(error.message));
    return typeof code === 'string' ? { message, code } : { message };
  }
  let message: string;
  try {
    message = String(error);
  } catch {
    message = 'an error that cannot be shown';
  }
  return { message: redactText(message) };
}
