import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'sdk/typescript/dist/', 'data/', 'drizzle/', 'coverage/', 'web/dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // src/http is the base of every route (problem types, pagination, auth hook, request context,
    // OpenAPI contract): it may use configuration, the database, domain errors and logging, never a feature.
    // The application (src/app) hands features what they need.
    files: ['src/http/**/*.ts'],
    ignores: ['src/http/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!config/|db/|domain/|logging/)',
              message: 'src/http is a base layer: import only config, db, domain and logging from outside it; src/app wires features in.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard runs in the browser.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
