/**
 * The logging interface: the subset of pino's API the balancer uses, so a pino logger (or any
 * compatible one: bunyan-style `child`, level methods taking `(fields, message)`) can be passed.
 * Silent by default.
 */
import { redactText } from './redact.js';

/** The pino-compatible logger the balancer writes to (pino itself fits). */
export interface Logger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
  /**
   * A logger that adds `bindings` to every line (pino's `child`). Optional: the balancer never
   * calls it (its own fields go under the `balancer` key of each line).
   */
  child?(bindings: Record<string, unknown>): Logger;
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

/** The key under which every balancer field of a log line is written. */
export const LOG_NAMESPACE = 'balancer';

/**
 * A logger whose lines carry their fields, and `bindings`, under one key:
 * `{ "balancer": { "service": "orders", "event": "ejection", ... }, "msg": ... }`. The
 * application's own fields (its `service`, `event`, `reason`...) can then never collide with
 * ours: pino writes bindings and line fields side by side without merging, so a child binding
 * named like the application's printed the key twice. `err` stays at the top level, where
 * pino's `err` serializer reads it (type, message, stack).
 */
export function namespacedLogger(root: Logger, bindings: Readonly<Record<string, unknown>>): Logger {
  return new NamespacedLogger(root, bindings);
}

class NamespacedLogger implements Logger {
  constructor(
    private readonly root: Logger,
    private readonly bindings: Readonly<Record<string, unknown>>,
  ) {}

  debug(fields: object, message?: string): void {
    this.root.debug(this.nest(fields), message);
  }
  info(fields: object, message?: string): void {
    this.root.info(this.nest(fields), message);
  }
  warn(fields: object, message?: string): void {
    this.root.warn(this.nest(fields), message);
  }
  error(fields: object, message?: string): void {
    this.root.error(this.nest(fields), message);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new NamespacedLogger(this.root, { ...this.bindings, ...bindings });
  }

  private nest(fields: object): object {
    const { err, ...rest } = fields as { err?: unknown };
    const nested = { [LOG_NAMESPACE]: { ...this.bindings, ...rest } };
    return err === undefined ? nested : { ...nested, err };
  }
}

/**
 * The error to log as `err`: the `Error` itself, so pino's standard serializer writes its type,
 * message, stack, code and cause; anything else thrown is wrapped in one.
 */
export function errorForLog(error: unknown): Error {
  if (error instanceof Error) {
    // The Error itself when it holds no secret; otherwise a copy with the secrets masked (a URL's
    // userinfo or query values in the message or stack never reach a log line).
    const message = redactText(String(error.message));
    const stack = error.stack === undefined ? undefined : redactText(error.stack);
    if (message === error.message && stack === error.stack) return error;
    const copy = new Error(message);
    copy.name = error.name;
    copy.stack = stack;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
    return copy;
  }
  let text: string;
  try {
    text = typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    text = String(error);
  }
  return new Error(`non-Error thrown: ${redactText(text)}`);
}
