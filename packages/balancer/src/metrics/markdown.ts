/**
 * The metrics table as Markdown, for the README's metrics section: one row per instrument, then
 * one per attribute. Generated from `instruments.ts`, so the documentation cannot drift.
 */
import { ATTRIBUTES, INSTRUMENTS, type AttributeKey, type InstrumentSpec } from './instruments.js';

/** Renders the instrument and attribute tables as GitHub-flavoured Markdown. */
export function metricsTableMarkdown(): string {
  const instruments: readonly InstrumentSpec[] = Object.values(INSTRUMENTS);
  const lines = [
    '| name | Prometheus | kind | unit | attributes | convention | description |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...instruments.map((s) =>
      row([code(s.name), prometheus(s), s.kind, code(s.unit), s.attributes.map(code).join(', '), s.convention ?? 'ours', describe(s)]),
    ),
    '',
    '| attribute | convention | value |',
    '| --- | --- | --- |',
    ...(Object.keys(ATTRIBUTES) as AttributeKey[]).map((key) => row([code(key), attributeConvention(key), ATTRIBUTES[key]])),
  ];
  return `${lines.join('\n')}\n`;
}

/** Attributes outside our namespace are copied from the OpenTelemetry HTTP client conventions. */
function attributeConvention(key: AttributeKey): string {
  return key.startsWith('datapunk.') ? 'ours' : 'HTTP client';
}

function prometheus(spec: InstrumentSpec): string {
  return spec.kind === 'Histogram' ? `${code(`${spec.prometheus}_bucket`)} (\`_sum\`, \`_count\`)` : code(spec.prometheus);
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
