// Lint: the recommended JS and TypeScript rules, without type-aware rules (they would double the
// time of `npm test` on a 2-core machine for little extra signal; `tsc --strict` covers types).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'reports/**', 'coverage/**', 'src/ops/dashboard/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', clearImmediate: 'readonly', performance: 'readonly',
        AbortController: 'readonly', AbortSignal: 'readonly', URL: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', fetch: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
        structuredClone: 'readonly', queueMicrotask: 'readonly', EventSource: 'readonly', document: 'readonly',
        window: 'readonly', globalThis: 'readonly', ReadableStream: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
);
