import assert from 'node:assert/strict';
import { createDispatcher } from '../../../../src/core/http/createDispatcher';
import { VIA_PROXY_HEADER } from '../../../../src/core/http/forwardProxyHandler';
import { networkFailureKind } from '../../../../src/core/http/networkFailure';
import { ProxyError, proxyErrorIn } from '../../../../src/core/http/proxyError';
import { parseProxyEndpoint, ProxyUrlError } from '../../../../src/core/http/proxyEndpoint';
import { HubAuthError, HubUnavailableError, networkHubError, toHubError } from '../../../../src/core/hub/hubErrors';

const withCode = (code: string) => Object.assign(new Error(code), { code });
const envProxy = parseProxyEndpoint('http://alice:s3cret@127.0.0.1:3128', 'HTTPS_PROXY');
const anonymous = parseProxyEndpoint('127.0.0.1:3128', 'HTTPS_PROXY');
const settingProxy = parseProxyEndpoint('http://proxy.corp:8080', 'http.proxy');
const TARGET = 'huggingface.co:443';
const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] ?? null });

/** One line, naming the proxy (never its credentials) and where it came from. */
function assertNamesProxy(message: string, proxy = 'http://127.0.0.1:3128 (from HTTPS_PROXY)'): void {
  assert.ok(message.includes(proxy), message);
  assert.ok(!message.includes('\n'), message);
  assert.ok(!/alice|s3cret/.test(message), message);
}

describe('proxy failure messages', () => {
  it('407: the proxy needs credentials in its URL, or rejected the ones there', () => {
    const missing = ProxyError.answered(anonymous, TARGET, 407);
    assertNamesProxy(missing.message);
    assert.match(missing.message, /needs credentials \(HTTP 407\): put them in the proxy URL, as http:\/\/user:password@127\.0\.0\.1:3128$/);
    const rejected = ProxyError.answered(envProxy, TARGET, 407);
    assertNamesProxy(rejected.message);
    assert.match(rejected.message, /rejected the user name and password/);
    assert.equal(networkFailureKind(missing), 'other', 'asking again without credentials changes nothing');
  });

  it('403: the proxy refused the connection (not the Hub, not the token)', () => {
    const error = ProxyError.answered(anonymous, TARGET, 403);
    assertNamesProxy(error.message);
    assert.match(error.message, /refused the connection to huggingface\.co:443 \(HTTP 403\)/);
    assert.doesNotMatch(error.message, /token/i);
    assert.equal(networkFailureKind(error), 'other');
  });

  it('502: the proxy could not connect; retried like a server that did not answer', () => {
    const error = ProxyError.answered(anonymous, TARGET, 502);
    assertNamesProxy(error.message);
    assert.equal(networkFailureKind(error), 'unreachable');
  });

  it('refused or unknown: the proxy is not reachable', () => {
    const error = ProxyError.failed(anonymous, TARGET, withCode('ECONNREFUSED'), 'unreachable');
    assertNamesProxy(error.message);
    assert.match(error.message, /is not reachable \(ECONNREFUSED\)/);
    assert.equal(networkFailureKind(error), 'unreachable');
    assert.equal(networkFailureKind(ProxyError.failed(anonymous, TARGET, withCode('UND_ERR_SOCKET'), 'dropped')), 'dropped');
  });

  it('the Hub error names the proxy and its cause, and http.proxy only when the proxy came from that setting', () => {
    const wrapped = new TypeError('fetch failed', { cause: ProxyError.answered(envProxy, TARGET, 407) });
    assert.equal(proxyErrorIn(wrapped)?.status, 407);
    const fromEnv = networkHubError('https://huggingface.co/api/models/x', wrapped, false);
    assert.ok(fromEnv instanceof HubUnavailableError);
    assertNamesProxy(fromEnv.userMessage);
    assert.match(fromEnv.userMessage, /^Could not reach the Hugging Face Hub at huggingface\.co\. The proxy http:\/\/127\.0\.0\.1:3128 \(from HTTPS_PROXY\) rejected/);
    assert.doesNotMatch(fromEnv.userMessage, /http\.proxy/);
    assert.match(fromEnv.userMessage, /check them\.$/, 'one sentence, ended once');

    const fromSetting = networkHubError('https://huggingface.co/api/models/x', ProxyError.answered(settingProxy, TARGET, 403), false);
    assertNamesProxy(fromSetting.userMessage, 'http://proxy.corp:8080 (from http.proxy)');
  });

  it('a failure without a proxy does not name the VS Code setting', () => {
    const error = networkHubError('https://huggingface.co/api/models/x', withCode('ECONNREFUSED'), false);
    assert.doesNotMatch(error.userMessage, /http\.proxy/);
    assert.doesNotMatch(networkHubError('https://huggingface.co/x', new Error('timeout'), true).userMessage, /http\.proxy/);
  });

  it('a 403 that came through a forwarding proxy without the Hub\'s error headers names the proxy first', () => {
    const url = 'http://mirror.corp/api/models/org/repo';
    const via = 'http://127.0.0.1:3128 (from HTTP_PROXY)';
    const proxied = toHubError({ status: 403, headers: headers({ [VIA_PROXY_HEADER]: via }) }, url, { repoId: 'org/repo' });
    assert.ok(proxied instanceof HubAuthError);
    assertNamesProxy(proxied.userMessage, via);
    assert.match(proxied.userMessage, /^The proxy http:\/\/127\.0\.0\.1:3128 \(from HTTP_PROXY\) or the Hub behind it refused access \(HTTP 403\): check that the proxy allows mirror\.corp/);
    // The Hub's own 403 (it says why) is read as before.
    const fromHub = toHubError({ status: 403, headers: headers({ [VIA_PROXY_HEADER]: via, 'x-error-message': 'Access to this resource is disabled.' }) }, url, { repoId: 'org/repo' });
    assert.doesNotMatch(fromHub.userMessage, /proxy/);
    const bad = toHubError({ status: 502, headers: headers({ [VIA_PROXY_HEADER]: via }) }, url, {});
    assertNamesProxy(bad.userMessage, via);
  });

  it('createDispatcher names the variable holding an unusable proxy URL', () => {
    assert.throws(() => createDispatcher({ env: { HTTPS_PROXY: 'not a url' } }), (e: unknown) => e instanceof ProxyUrlError && /^HTTPS_PROXY is not a usable proxy URL/.test(e.message));
    assert.throws(() => createDispatcher({ env: { https_proxy: 'http://a b', HTTPS_PROXY: 'http://ok:1' } }), /^ProxyUrlError: https_proxy /, 'lower case wins, and is named');
    assert.throws(() => createDispatcher({ proxy: 'ftp://x', env: {} }), /^ProxyUrlError: http\.proxy /);
    assert.throws(() => createDispatcher({ proxy: 'ftp://x', proxySource: '--proxy', env: {} }), /^ProxyUrlError: --proxy /);
  });
});
