// eslint over the chart component's modules (run in the browser) and their unit tests (run by node).
import js from '@eslint/js';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['lossapp/frontend/**/*.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: globals.browser},
  },
  {
    files: ['tests/js/**/*.mjs', 'eslint.config.js'],
    languageOptions: {ecmaVersion: 2022, sourceType: 'module', globals: globals.node},
  },
  {
    rules: {
      'no-unused-vars': ['error', {args: 'after-used'}],
      'prefer-const': 'error',
      'no-var': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
];
