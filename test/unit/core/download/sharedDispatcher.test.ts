import assert from 'node:assert/strict';
import { Agent, EnvHttpProxyAgent } from 'undici';
import { createDispatcher } from '../../../../src/core/http/createDispatcher';
import { closeSharedDispatcher, sharedDispatcher } from '../../../../src/core/http/sharedDispatcher';

describe('shared dispatcher', () => {
  afterEach(() => closeSharedDispatcher());

  it('hands out one dispatcher per process until the settings change', () => {
    const first = sharedDispatcher({ env: {} });
    assert.equal(sharedDispatcher({ env: {} }), first);
    const proxied = sharedDispatcher({ proxy: 'http://127.0.0.1:9', env: {} });
    assert.notEqual(proxied, first);
    assert.equal(sharedDispatcher({ proxy: 'http://127.0.0.1:9', env: {} }), proxied);
  });

  it('is a plain Agent without proxy settings and a proxy agent with them', async () => {
    const direct = createDispatcher({ env: {} });
    const viaEnv = createDispatcher({ env: { HTTPS_PROXY: 'http://127.0.0.1:9' } });
    assert.ok(direct instanceof Agent);
    assert.ok(viaEnv instanceof EnvHttpProxyAgent);
    await Promise.all([direct.close(), viaEnv.close()]);
  });
});
