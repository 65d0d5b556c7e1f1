import assert from 'node:assert/strict';
import { NoProxyList } from '../../../../src/core/http/noProxyList';

const bypasses = (noProxy: string, url: string) => new NoProxyList(noProxy).bypasses(new URL(url));

describe('NoProxyList', () => {
  it('matches names, their subdomains, and ports, as undici did', () => {
    assert.equal(bypasses('example.com', 'https://example.com/x'), true);
    assert.equal(bypasses('example.com', 'https://cdn.example.com/x'), true);
    assert.equal(bypasses('.example.com', 'https://cdn.example.com/x'), true);
    assert.equal(bypasses('*.example.com', 'https://cdn.example.com/x'), true);
    assert.equal(bypasses('example.com', 'https://notexample.com/x'), false);
    assert.equal(bypasses('localhost:8080', 'http://localhost:8080/'), true);
    assert.equal(bypasses('localhost:8080', 'http://localhost:9090/'), false);
    assert.equal(bypasses('example.com:443', 'https://example.com/'), true, 'the default port counts');
    assert.equal(bypasses(' localhost , Example.COM ', 'https://EXAMPLE.com./'), true);
    assert.equal(bypasses('', 'https://example.com/'), false);
  });

  it('takes * as every host, also among other entries', () => {
    assert.equal(bypasses('*', 'https://huggingface.co/'), true);
    assert.equal(bypasses('foo,*', 'https://huggingface.co/'), true);
  });

  it('matches IPv4 CIDR ranges for hosts written as addresses (curl and requests do)', () => {
    assert.equal(bypasses('127.0.0.0/8', 'http://127.0.0.1:3000/'), true);
    assert.equal(bypasses('127.0.0.0/8', 'http://127.10.20.30/'), true);
    assert.equal(bypasses('10.0.0.0/8,192.168.0.0/16', 'http://192.168.1.20/'), true);
    assert.equal(bypasses('10.0.0.0/8', 'http://11.0.0.1/'), false);
    assert.equal(bypasses('127.0.0.0/8', 'http://localhost/'), false, 'names are not resolved, as in curl');
    assert.equal(bypasses('10.1.2.3/32', 'http://10.1.2.3/'), true);
  });

  it('matches IPv6 addresses and ranges, with or without brackets', () => {
    assert.equal(bypasses('::1', 'http://[::1]:8080/'), true);
    assert.equal(bypasses('[::1]', 'http://[::1]/'), true);
    assert.equal(bypasses('[::1]:8080', 'http://[::1]:8080/'), true);
    assert.equal(bypasses('[::1]:8080', 'http://[::1]:9090/'), false);
    assert.equal(bypasses('0:0:0:0:0:0:0:1', 'http://[::1]/'), true, 'compared in canonical form');
    assert.equal(bypasses('fd00::/8', 'http://[fd12:3456::1]/'), true);
    assert.equal(bypasses('fd00::/8', 'http://[fe80::1]/'), false);
    assert.equal(bypasses('::1/128', 'http://127.0.0.1/'), false);
  });

  it('takes an IP address exactly, not as a suffix', () => {
    assert.equal(bypasses('27.0.0.1', 'http://127.0.0.1/'), false);
    assert.equal(bypasses('127.0.0.1', 'http://127.0.0.1/'), true);
  });

  it('ignores entries that are no range', () => {
    assert.equal(bypasses('10.0.0.0/33,300.0.0.0/8,example.com', 'http://10.0.0.1/'), false);
    assert.equal(bypasses('10.0.0.0/33,300.0.0.0/8,example.com', 'https://example.com/'), true);
  });
});
