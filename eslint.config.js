// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '.artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Use the injected Runtime.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use the injected Runtime.' },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**', 'examples/**', 'packages/testkit/**', '**/runtime.ts', '**/*.cjs', '**/*.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // A CommonJS consumer's program, as one writes it: `import x = require(...)`.
    files: ['test/packaging/consumer/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
