'use strict';
// Stands in for node:http2 inside undici's HTTP/2 client in dist/cli.js (see esbuild.mjs): the CLI
// speaks HTTP/1.1 only. Throwing makes undici take its own "no http2 in this Node" path.
throw new Error('node:http2 is not bundled into the CLI');
