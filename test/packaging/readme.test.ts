/** The README stays true: its metrics table is the code's, and it opens with the commands. */
import { metricsTableMarkdown } from '@datapunk/balancer/testing';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists exactly the instruments of the code (metricsTableMarkdown)', () => {
    const block = /<!-- metrics-table:start -->\n([\s\S]*?)\n<!-- metrics-table:end -->/.exec(readme)?.[1];
    expect(block?.trim()).toBe(metricsTableMarkdown().trim());
  });

  it('opens with the install-and-demo command, then the install-and-test command', () => {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(blocks[0]).toContain('npm install -g pnpm@10 && pnpm install && pnpm demo');
    expect(blocks[1]).toContain('npm install -g pnpm@10 && pnpm install && pnpm test');
  });
});
