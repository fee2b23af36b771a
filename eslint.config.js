// ESLint (flat config) for every JavaScript file of the repository: `npm run lint` (part of npm test).
// Page code gets browser globals, tools and tests get Node's; Playwright specs get both, since the
// functions they hand to page.evaluate() run in the page.
import js from '@eslint/js';
import globals from 'globals';

const pageFiles = ['js/**/*.js', 'bindings/**/*.js', 'web/**/*.js', 'e2e/pages/**/*.js', 'bench/bench.js',
  'bench/page-helpers.js', 'bench/pool-page.js', 'bench/transfer-bench.js', 'e2e/consumers/**/*.js'];

export default [
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'scratch/**',
    'e2e/consumers/**/dist/**', 'e2e/consumers/**/node_modules/**'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
    },
  },
  { files: pageFiles, languageOptions: { globals: globals.browser } },
  { files: ['e2e/**/*.spec.js', 'e2e/support/**/*.js', 'bench/*.js', 'tests/fixtures/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } } },
];
