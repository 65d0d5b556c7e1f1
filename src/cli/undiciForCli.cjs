'use strict';
// What dist/cli.js takes from undici, in place of its index (esbuild.mjs maps `undici` here for the
// CLI bundle only). The index also loads fetch, WebSocket, EventSource, caches, mocks and the
// request/stream API: about 9 MB of memory at startup that a download never uses. Add a line here when
// CLI code imports another value from undici; `npm test` runs the built CLI and would fail without it.
const Dispatcher = require('undici/lib/dispatcher/dispatcher');

// The index also gives every dispatcher its API methods. ProxyAgent opens each https tunnel with
// `connect()` (the CONNECT request to the proxy), so that one is needed: without it every https request
// through a proxy failed with "connect is not a function". It costs no measurable memory (1.5 kB of
// script). request, stream, pipeline and upgrade stay out: the CLI dispatches directly.
Dispatcher.prototype.connect = require('undici/lib/api/api-connect');

// ProxyAgent and Pool are loaded by EnvHttpProxyAgent and Agent anyway: exporting them costs nothing.
module.exports = {
  Agent: require('undici/lib/dispatcher/agent'),
  EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent'),
  Pool: require('undici/lib/dispatcher/pool'),
  ProxyAgent: require('undici/lib/dispatcher/proxy-agent'),
};
