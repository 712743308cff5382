/** The versioning setup: the published packages move together (one fixed changesets group). */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;

function workspacePackages(): { name: string; private: boolean; version: unknown }[] {
  return ['packages', 'examples'].flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        try {
          const m = read(`${dir}/${d.name}/package.json`);
          return [{ name: String(m.name), private: m.private === true, version: m.version }];
        } catch {
          return [];
        }
      }),
  );
}

/** Changesets' package patterns: exact names, or a trailing `*`. */
const matches = (pattern: string, name: string) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern);

describe('changesets', () => {
  it('one fixed group holds exactly the published packages, which share one version', () => {
    const config = read('.changeset/config.json') as { fixed: string[][]; access: string };
    expect(config.fixed).toHaveLength(1);
    const group = config.fixed[0]!;
    const all = workspacePackages();
    const published = all.filter((p) => !p.private);
    expect(published.map((p) => p.name).sort()).toEqual(
      ['@datapunk/balancer', '@datapunk/balancer-axios', '@datapunk/balancer-etcd', '@datapunk/balancer-got', '@datapunk/balancer-undici', '@datapunk/simulator', '@datapunk/testkit'],
    );
    for (const p of all) expect(group.some((pattern) => matches(pattern, p.name)), p.name).toBe(!p.private);
    expect(new Set(published.map((p) => p.version)).size).toBe(1);
    expect(config.access).toBe('public');
  });

  it('version-packages also updates the version the meter reports', () => {
    const scripts = read('package.json').scripts as Record<string, string>;
    expect(scripts['version-packages']).toBe('changeset version && node scripts/sync-version.mjs');
    expect(readFileSync(join(root, 'scripts/sync-version.mjs'), 'utf8')).toContain('packages/balancer/src/metrics/version.ts');
  });
});
