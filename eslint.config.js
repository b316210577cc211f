// typescript-eslint's recommended rules, and the direction of imports
// between the folders of src/ (README.md, "Layout"): a folder imports none
// of those above it. db/ still imports catalog/ and training/ for their
// types, and search/ catalog/; a domain folder will take those (issue 26).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Folders of src/ a folder must not import, by folder. */
const forbidden = {
  ml: ['db', 'catalog', 'training', 'evaluation', 'search', 'graphql', 'http', 'cli', 'datasets', 'reports'],
  db: ['search', 'ml', 'evaluation', 'graphql', 'http', 'cli', 'datasets', 'reports'],
  search: ['training', 'evaluation', 'graphql', 'http', 'cli', 'datasets', 'reports'],
  catalog: ['evaluation', 'graphql', 'http', 'cli'],
  training: ['search', 'evaluation', 'graphql', 'http', 'cli'],
  evaluation: ['graphql', 'http', 'cli'],
  graphql: ['db', 'search', 'http', 'cli'],
};

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
  ...Object.entries(forbidden).map(([folder, below]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // The folder's own modules and those of folders it may import, whatever the depth of the path.
              group: below.map((other) => `**/${other}/*`),
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
