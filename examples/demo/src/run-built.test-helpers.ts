/**
 * Runs a built example (its `dist/main.js`) as a child process, as a user would, collecting its
 * output line by line so a test can act while it runs (scrape its metrics endpoint, say).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ChildRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly ms: number;
}

export interface RunOptions {
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Kill the child after this long (ms). Default 60 s. */
  readonly timeoutMs?: number;
  /** Called for each stdout line as it arrives. */
  readonly onLine?: (line: string) => void;
}

export function runBuilt(script: string, options: RunOptions = {}): Promise<ChildRun> {
  if (!existsSync(script)) {
    return Promise.reject(new Error(`${script} is missing: build first (pnpm exec tsc -b)`));
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdout += `${line}\n`;
      options.onLine?.(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, ms: performance.now() - started });
    });
  });
}
