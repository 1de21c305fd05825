/** Tests run TypeScript sources through SWC; the Temporal server and workflow bundle are set up
 * once per run (test/support/global-setup.ts). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real-Ollama and real-model tiers need a built Ollama (and a fetched model); they run on
  // their own (jest.real-ollama.config.js, jest.real-model.config.js), as does the cluster tier
  // (jest.cluster.config.js: a Temporal server on PostgreSQL).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/real-ollama/', '<rootDir>/test/real-model/', '<rootDir>/test/cluster/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
