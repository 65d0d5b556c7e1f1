'use strict';
// What dist/cli.js takes from undici, in place of its index (esbuild.mjs maps `undici` here for the
// CLI bundle only). The index also loads fetch, WebSocket, EventSource, caches, mocks and the
// request/stream API: about 9 MB of memory at startup that a download never uses. Add a line here when
// CLI code imports another value from undici; `npm test` runs the built CLI and would fail without it.
module.exports = {
  Agent: require('undici/lib/dispatcher/agent'),
  EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent'),
};
