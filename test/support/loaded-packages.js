// Preloaded into a CLI process (NODE_OPTIONS="--require …", LOADED_PACKAGES_FILE=…): at exit,
// writes the names of the npm packages the process loaded, one a line. Shows which commands
// load the Temporal worker or client, or set up fetch (test/cli/lazy-load.test.ts).
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = file.match(/node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/);
    if (m) names.add(m[1].replace(/\\/g, '/'));
  }
  // Node's own fetch (undici) is an internal module: listed as node:undici once it was set up.
  if (process.moduleLoadList.some((m) => /undici/.test(m))) names.add('node:undici');
  writeFileSync(process.env.LOADED_PACKAGES_FILE, [...names].sort().join('\n'));
});
