/**
 * The metrics table as Markdown, for the README's metrics section: one row per instrument, then
 * one per attribute. Generated from `instruments.ts`, so the documentation cannot drift.
 */
import { ATTRIBUTES, INSTRUMENTS, type AttributeKey, type InstrumentSpec } from './instruments.js';

/** Renders the instrument and attribute tables as GitHub-flavoured Markdown. */
export function metricsTableMarkdown(): string {
  const instruments: readonly InstrumentSpec[] = Object.values(INSTRUMENTS);
  const lines = [
    '| name | kind | unit | attributes | description |',
    '| --- | --- | --- | --- | --- |',
    ...instruments.map((s) => row([code(s.name), s.kind, code(s.unit), s.attributes.map(code).join(', '), describe(s)])),
    '',
    '| attribute | value |',
    '| --- | --- |',
    ...(Object.keys(ATTRIBUTES) as AttributeKey[]).map((key) => row([code(key), ATTRIBUTES[key]])),
  ];
  return `${lines.join('\n')}\n`;
}

function describe(spec: InstrumentSpec): string {
  return spec.buckets ? `${spec.description} Bucket advice: ${spec.buckets.join(', ')}.` : spec.description;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

function code(text: string): string {
  return `\`${text}\``;
}
