/** Finding an installed program. */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The directories of `PATH`. */
export function pathDirs(): string[] {
  return (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
}

/** The first candidate path that is an executable file, or undefined; empty candidates are skipped. */
export function firstExecutable(candidates: readonly (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there; try the next one
    }
  }
  return undefined;
}

/** `name` in each of `dirs`. */
export function inDirs(dirs: readonly string[], name: string): string[] {
  return dirs.map((dir) => join(dir, name));
}
