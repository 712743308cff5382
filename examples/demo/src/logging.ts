/**
 * Balancer logs go through pino to a file (the terminal is the live table's); one JSON object
 * per line, truncated at the start of each run.
 */
import { pino, type Logger } from 'pino';

export interface FileLogger {
  readonly logger: Logger;
  readonly path: string;
  /** Flushes and closes the file. */
  close(): void;
}

export function fileLogger(path: string): FileLogger {
  const destination = pino.destination({ dest: path, sync: true, append: false, mkdir: true });
  const logger = pino({ level: 'info', base: { app: 'datapunk-demo' } }, destination);
  return {
    logger,
    path,
    close() {
      destination.flushSync();
      destination.end();
    },
  };
}
