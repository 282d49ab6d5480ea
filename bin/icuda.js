#!/usr/bin/env node
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose, see below */
// The `icuda` command. `npm run build` makes the shipped program, a few CommonJS bundles
// (scripts/bundle.mjs) that start in a fraction of the time of tsc's ES modules; without them
// (tsc alone was run) the modules in dist/src are used. This file is CommonJS too (see
// bin/package.json): an ES module entry starts Node's ES module loader, about 10 ms more.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'icuda.cjs');
if (fs.existsSync(bundle)) require(bundle);
else void import('../dist/src/main.js');
