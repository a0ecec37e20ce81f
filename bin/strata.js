#!/usr/bin/env node
// The launcher: import the built CLI, wire process streams and signals, set the exit code.
import { main } from '../dist/main.js';

main();
