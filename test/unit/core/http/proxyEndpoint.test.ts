import assert from 'node:assert/strict';
import { describeProxy, parseProxyEndpoint, ProxyUrlError } from '../../../../src/core/http/proxyEndpoint';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('parseProxyEndpoint', () => {
  it('reads a value without a scheme as http://, as curl and pip do', () => {
    for (const value of ['127.0.0.1:3128', 'proxy.corp:8080', 'localhost:3128', ' proxy.corp ']) {
      const proxy = parseProxyEndpoint(value, 'HTTP_PROXY');
      assert.equal(proxy.protocol, 'http:', value);
      assert.equal(proxy.uri, `http://${value.trim()}`, value);
    }
  });

  it('keeps http, https and socks5 schemes', () => {
    assert.equal(parseProxyEndpoint('https://proxy.corp:8443', 'HTTPS_PROXY').uri, 'https://proxy.corp:8443');
    assert.equal(parseProxyEndpoint('HTTP://Proxy.Corp:3128/', 'HTTPS_PROXY').uri, 'http://proxy.corp:3128');
    assert.equal(parseProxyEndpoint('socks5://u:p@proxy.corp:1080', 'HTTPS_PROXY').uri, 'socks5://u:p@proxy.corp:1080', 'SOCKS reads its credentials from the URL');
  });

  it('sends "user:" as Basic credentials for a URL with a user and no password, as curl does', () => {
    assert.equal(parseProxyEndpoint('http://user@proxy.corp:3128', 'HTTPS_PROXY').authorization, basic('user:'));
    assert.equal(parseProxyEndpoint('user@proxy.corp:3128', 'HTTPS_PROXY').authorization, basic('user:'));
  });

  it('decodes percent-encoded credentials and keeps them out of the URL and the display', () => {
    const proxy = parseProxyEndpoint('http://us%40er:p%3Ass@proxy.corp:3128', 'HTTPS_PROXY');
    assert.equal(proxy.authorization, basic('us@er:p:ss'));
    assert.equal(proxy.uri, 'http://proxy.corp:3128');
    assert.equal(proxy.display, 'http://proxy.corp:3128');
    assert.equal(parseProxyEndpoint('http://proxy.corp:3128', 'HTTPS_PROXY').authorization, undefined);
  });

  it('says which variable holds an unusable value, without its credentials', () => {
    assert.throws(
      () => parseProxyEndpoint('http://alice:s3cret@exa mple:3128', 'HTTPS_PROXY'),
      (e: unknown) => e instanceof ProxyUrlError && e.message.startsWith('HTTPS_PROXY is not a usable proxy URL') && !/alice|s3cret/.test(e.message),
    );
    assert.throws(() => parseProxyEndpoint('not a url', 'http_proxy'), /^ProxyUrlError: http_proxy is not a usable proxy URL \(not a url\)/);
    assert.throws(() => parseProxyEndpoint('ftp://proxy.corp:2121', 'http.proxy'), (e: unknown) => e instanceof ProxyUrlError && /^http\.proxy names a proxy this client cannot use \(ftp:\/\/proxy\.corp:2121\)/.test(e.message));
  });

  it('names a proxy with where it was set', () => {
    assert.equal(describeProxy(parseProxyEndpoint('http://u:p@127.0.0.1:3128', 'HTTPS_PROXY')), 'http://127.0.0.1:3128 (from HTTPS_PROXY)');
  });
});
