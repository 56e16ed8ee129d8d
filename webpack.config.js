// Nest CLI's webpack build, with the tsconfig path aliases (@analytics/*) resolved explicitly:
// TypeScript 6 dropped `baseUrl`, which tsconfig-paths-webpack-plugin still relies on.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.json');

module.exports = (options) => ({
  ...options,
  resolve: {
    ...options.resolve,
    plugins: (options.resolve?.plugins ?? []).filter((plugin) => plugin.constructor.name !== 'TsconfigPathsPlugin'),
    alias: Object.fromEntries(
      Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.resolve(__dirname, target)]),
    ),
  },
});
