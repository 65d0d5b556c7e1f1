// ESLint flat config. The one architectural rule that matters most: src/core stays plain Node,
// so it must never import `vscode` at runtime (type-only imports are allowed).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'out-*/**', '.vscode-test/**', 'test-results/**', '**/*.vsix'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is plain Node: keep vscode out (use an adapter in src/vscode).', allowTypeImports: true }],
          patterns: [{ group: ['**/vscode/**', '../vscode', '../../vscode'], message: 'src/core must not depend on the VS Code adapters.', allowTypeImports: true }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.test.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
  },
  {
    // Playwright callbacks (page.evaluate, waitForFunction) run in the browser.
    files: ['test/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.mocha } },
  },
);
