import { defineConfig } from 'vitest/config';

// GOT_MAJOR=16 (the Node 24 run, `pnpm test:node24`): every `got` import is got 16, whose retry
// works on Node 24 (got 14's does not). Child processes get the same through scripts/got16-alias.mjs.
const gotAlias = process.env.GOT_MAJOR === '16' ? [{ find: /^got$/, replacement: 'got16' }] : [];

export default defineConfig({
  resolve: { alias: gotAlias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    setupFiles: ['./vitest.setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
