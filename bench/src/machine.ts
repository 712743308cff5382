/** What the figures were measured on, for the report. */
import { cpus, loadavg, arch, release, type } from 'node:os';
import { round } from './stats.js';

export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the bench started. */
  readonly loadavg: readonly number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    platform: `${type()} ${release()} ${arch()}`,
    loadavg: loadavg().map((x) => round(x, 2)),
  };
}
