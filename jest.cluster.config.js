/** The cluster tier (npm run test:cluster): tests under test/cluster/ against a production-shaped
 * Temporal (the server built from go.temporal.io/server, PostgreSQL for persistence and
 * visibility), started by scripts/cluster/start.sh (npm run cluster:start) in the global setup and
 * left running for the next run (npm run cluster:stop stops it). Same transform as the main suite;
 * one worker: the files share the one cluster and the machine's two cores. */
const main = require('./jest.config.js');

module.exports = {
  ...main,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 300000,
};
