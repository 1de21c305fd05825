#!/usr/bin/env node
// The `worksplit` command: runs the compiled CLI (npm run build writes dist/).
require('../dist/client/cli.js').main();
