/**
 * The README's API reference lists every export of every published entry point, as the built
 * declarations have it, and every export is documented.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without declarations
import { ENTRY_POINTS, exportsOf, readmeSection, reference } from '../../scripts/api-reference.mjs';

const root = join(import.meta.dirname, '..', '..');

interface Row {
  name: string;
  kind: string;
  doc: string;
}

describe('the API reference', () => {
  it('in the README matches the built declarations (node scripts/api-reference.mjs --write)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readmeSection(readme) as string | undefined;
    expect(section, 'README.md has the api-reference markers').toBeDefined();
    expect(section).toBe((reference() as string).trim());
  }, 60_000);

  it('documents every export with at least a one-sentence summary', () => {
    const undocumented: string[] = [];
    for (const [entry, file] of ENTRY_POINTS as [string, string][]) {
      for (const row of exportsOf(join(root, file)) as Row[]) if (row.doc.length < 10) undocumented.push(`${entry}: ${row.name}`);
    }
    expect(undocumented).toEqual([]);
  }, 60_000);

  it('keeps the main entry point small (about 40 names: what applications use)', () => {
    const main = exportsOf(join(root, 'packages/balancer/dist/index.d.ts')) as Row[];
    const values = main.filter((r) => !['interface', 'type'].includes(r.kind));
    expect(values.length, values.map((r) => r.name).join(', ')).toBeLessThanOrEqual(14);
    expect(main.length, main.map((r) => r.name).join(', ')).toBeLessThanOrEqual(42);
  }, 60_000);
});
