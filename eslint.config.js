// typescript-eslint's recommended rules, and the direction of imports
// between the folders of src/ (README.md, "Layout"): a folder imports none
// of those above it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The folders of src/, from the top down. */
const layers = ['http', 'web', 'graphql', 'cli', 'catalog', 'evaluation', 'training', 'reports', 'datasets', 'search', 'db', 'domain', 'ml', 'util'];
/** Folders a folder must not import beside those above it: resolvers reach the database and the index through services. */
const alsoForbidden = { graphql: ['db', 'search'] };
const forbidden = Object.fromEntries(layers.map((folder, i) => [folder, [...layers.slice(0, i), ...(alsoForbidden[folder] ?? [])]]));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/graphql/generated/', 'src/web/generated/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests and their harness read GraphQL answers as untyped JSON.
    files: ['test/**/*.ts', 'harness/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...Object.entries(forbidden).filter(([, above]) => above.length > 0).map(([folder, above]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Any depth of path into those folders.
              group: above.map((other) => `**/${other}/*`),
              message: `src/${folder}/ sits below these folders and does not import them.`,
              // Types only: an interface a lower layer implements may name a higher one's types.
              allowTypeImports: folder === 'graphql',
            },
          ],
        },
      ],
    },
  })),
);
