// The Ollama-protocol test server ships with the package (`worksplit test-server`); the tests
// import it from here.
export * from '../../testing/ollama-test-server';
