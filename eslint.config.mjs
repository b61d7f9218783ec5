import nx from '@nx/eslint-plugin';

/**
 * Module boundaries are the architecture (ARCHITECTURE.md, "Workspace layout"): a domain library
 * depends only on other domain libraries and may not import Nest, an event store client, Redis or
 * a queue. `test/architecture` proves the rule fires.
 */
export const domainBannedImports = [
  '@nestjs/*',
  '@eventstore/*',
  'ioredis',
  'bullmq',
  'better-sqlite3',
  'fastify',
  '@fastify/*',
  'nestjs-pino',
  'pino',
  'zod',
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/tmp/**', '**/data/**', '.nx/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: domainBannedImports },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:platform'] },
            { sourceTag: 'type:application', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:application'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:platform', 'type:application'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
            // Contexts are siblings that meet only through each other's published contract (invariant 15).
            { sourceTag: 'scope:ledger', onlyDependOnLibsWithTags: ['scope:ledger', 'scope:shared', 'type:platform', 'kind:contract'] },
            { sourceTag: 'scope:cases', onlyDependOnLibsWithTags: ['scope:cases', 'scope:shared', 'type:platform', 'kind:contract'] },
            { sourceTag: 'scope:people', onlyDependOnLibsWithTags: ['scope:people', 'scope:shared', 'type:platform', 'kind:contract'] },
            { sourceTag: 'scope:warnings', onlyDependOnLibsWithTags: ['scope:warnings', 'scope:shared', 'type:platform', 'kind:contract'] },
            { sourceTag: 'scope:nav', onlyDependOnLibsWithTags: ['scope:nav', 'scope:shared', 'type:platform', 'kind:contract'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'scripts/**/*.ts', '**/fixtures/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
