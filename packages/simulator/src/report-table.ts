/** The plain-text summary of a run, for terminals and CI logs. */
import type { SimResult } from './result.js';

const pad = (cells: readonly string[], widths: readonly number[]): string =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [pad(head, widths), pad(widths.map((w) => '-'.repeat(w)), widths), ...rows.map((r) => pad(r, widths))].join('\n');
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(1));

export function renderTable(result: SimResult, maxInstances = 15): string {
  const s = result.scenario;
  const c = result.callers;
  const lines = [
    `${s.name}: ${s.clients} clients x ${s.instances} instances, ${s.durationS} s, seed ${s.seed}, subset ${s.subset}, zone-aware ${s.zoneAware ? 'on' : 'off'}`,
    `callers: ${c.requests} requests, ${c.successPercent.toFixed(2)}% ok, p50 ${ms(c.latencyMs.p50)} ms, p99 ${ms(c.latencyMs.p99)} ms, p99.9 ${ms(c.latencyMs.p999)} ms, ` +
      `${c.attemptsPerCall.toFixed(3)} attempts per call, ${c.unfinished} unfinished`,
    `failures: ${Object.entries(c.failures).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `ejections: ${result.ejections.total} (${Object.entries(result.ejections.byReason).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), ` +
      `at most ${result.ejections.maxEjected} (client, instance) pairs ejected at once, at most ${result.ejections.maxClientsInPanic} clients in panic`,
    `connections per instance: min ${result.connections.min}, mean ${result.connections.mean}, max ${result.connections.max} (total ${result.connections.total})`,
  ];
  for (const [zone, z] of Object.entries(result.zones)) lines.push(`zone ${zone}: ${z.attempts} attempts, ${z.localPercent.toFixed(2)}% local`);
  const shown = [...result.instances].sort((a, b) => b.attempts - a.attempts);
  const rows = (shown.length > maxInstances ? [...shown.slice(0, maxInstances - 3), ...shown.slice(-3)] : shown).map((i) => [
    i.name,
    i.zone ?? '-',
    String(i.attempts),
    `${i.sharePercent.toFixed(2)}%`,
    String(i.peakPerS),
    String(i.connections),
  ]);
  lines.push('', table(['instance', 'zone', 'attempts', 'share', 'peak/s', 'clients'], rows));
  if (shown.length > maxInstances) lines.push(`(${shown.length - maxInstances} more instances between the busiest and the least busy)`);
  return lines.join('\n');
}
