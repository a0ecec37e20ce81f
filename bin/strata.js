#!/usr/bin/env node
// The launcher (CommonJS, see bin/package.json): dist/strata.cjs loads the CLI through V8's code
// cache, wires process streams and signals, and sets the exit code.
require('../dist/strata.cjs');
