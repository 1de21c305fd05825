/** The real-Ollama tier (npm run test:real-ollama): tests under test/real-ollama/ against a real
 * Ollama built by scripts/real-ollama/build.sh. Same transform and Temporal global setup as the
 * main suite (jest.config.js), so these tests can run worksplit batches end to end. One worker:
 * every test file starts its own Ollama, and the machine's cores are its compute. */
const main = require('./jest.config.js');

module.exports = {
  ...main,
  roots: ['<rootDir>/test/real-ollama'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 300000,
};
