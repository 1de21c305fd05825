/** The real-model tier (npm run test:real-model): tests under test/real-model/ that run worksplit
 * batches on a real instruct model (SmolLM2-135M-Instruct, scripts/real-model/fetch.sh) served by
 * the real Ollama of scripts/real-ollama/build.sh. Same transform and Temporal global setup as the
 * main suite (jest.config.js). One worker: every test file starts its own Ollama, and the
 * machine's cores are its compute. */
const main = require('./jest.config.js');

module.exports = {
  ...main,
  roots: ['<rootDir>/test/real-model'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 600000,
};
