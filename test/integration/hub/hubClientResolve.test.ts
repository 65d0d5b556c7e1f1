import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { HubClient } from '../../../src/core/hub/hubClient';
import { InvalidRepoPathError } from '../../../src/core/hub/repoPath';
import { type HubStandin, startHubStandin } from '../../fixtures/hubStandin';

const REPO = 'org/tiny';

describe('HubClient: resolveFile against the stand-in', () => {
  let hub: HubStandin;

  beforeEach(async () => {
    hub = await startHubStandin({
      token: 'hf_valid',
      repos: [
        { id: REPO, files: [{ path: 'config.json', content: '{"a":1}' }, { path: 'model.safetensors', size: 123_456, seed: 4 }, { path: 'dir/a b#1.json', content: '[1]' }] },
        { id: 'org/gated', gated: true, files: [{ path: 'model.safetensors', size: 5000 }, { path: 'config.json', content: '{}' }] },
      ],
    });
  });
  afterEach(() => hub.close());

  it('resolves a git file to its resolve-cache URL, git sha1 etag, size and commit', async () => {
    const client = new HubClient({ endpoint: hub.endpoint, fetch });
    const resolved = await client.resolveFile(REPO, 'main', 'config.json');
    const commit = hub.commitOf(REPO);
    assert.deepEqual(resolved, {
      url: `${hub.endpoint}/api/resolve-cache/models/${REPO}/${commit}/config.json`,
      etag: hub.fileInfo(REPO, 'config.json').gitSha1,
      size: 7,
      commit,
      lfs: false,
    });
    assert.deepEqual(
      hub.requests.map((r) => `${r.method} ${r.status}`),
      ['HEAD 307', 'HEAD 200'],
    );
    assert.equal(hub.requests[0]!.headers['accept-encoding'], 'identity');
  });

  it('resolves an LFS file to the CDN URL with the sha256 etag and real size, without following it', async () => {
    const client = new HubClient({ endpoint: hub.endpoint, fetch });
    const resolved = await client.resolveFile(REPO, 'main', 'model.safetensors');
    const info = hub.fileInfo(REPO, 'model.safetensors');
    assert.ok(resolved.url.startsWith(hub.cdnOrigin + '/'), resolved.url);
    assert.equal(resolved.etag, info.sha256);
    assert.equal(resolved.size, 123_456);
    assert.equal(resolved.lfs, true);
    assert.equal(resolved.commit, hub.commitOf(REPO));
    assert.equal(hub.requests.filter((r) => r.origin === 'cdn').length, 0, 'the CDN is not contacted by resolve');
    const bytes = Buffer.from(await (await fetch(resolved.url)).arrayBuffer());
    assert.equal(createHash('sha256').update(bytes).digest('hex'), resolved.etag, 'the URL serves the file the etag names');
  });

  it('sends the token to the Hub for a gated file, and never to the CDN', async () => {
    const client = new HubClient({ endpoint: hub.endpoint, fetch, token: 'hf_valid' });
    const lfs = await client.resolveFile('org/gated', 'main', 'model.safetensors');
    const small = await client.resolveFile('org/gated', 'main', 'config.json');
    assert.equal(lfs.size, 5000);
    assert.equal(small.size, 2);
    const hubRequests = hub.requests.filter((r) => r.origin === 'hub');
    assert.equal(hubRequests.length, 3);
    assert.ok(hubRequests.every((r) => r.tokenValid), 'every Hub request (redirects included) carries the token');
    assert.equal(hub.requests.filter((r) => r.origin === 'cdn').length, 0);
  });

  it('drops the token when a Link points to another origin', async () => {
    await hub.close();
    hub = await startHubStandin({ pageSize: 1, token: 'hf_valid', repos: [{ id: 'org/secret', private: true, files: [{ path: 'a.txt', content: 'a' }, { path: 'b.txt', content: 'b' }] }] });
    // Same server, another origin (the CDN port): only the Authorization header's fate differs.
    const relink: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const link = response.headers.get('link');
      if (!link) return response;
      const headers = new Headers(response.headers);
      headers.set('link', link.replace(hub.endpoint, hub.cdnOrigin));
      return new Response(response.body, { status: response.status, headers });
    };
    const client = new HubClient({ endpoint: hub.endpoint, fetch: relink, token: 'hf_valid' });
    await assert.rejects(client.listFiles('org/secret'));
    const cdnRequest = hub.requests.find((r) => r.origin === 'cdn');
    assert.ok(cdnRequest, 'the next page was requested from the other origin');
    assert.equal(cdnRequest.hasAuthorization, false);
    assert.equal(hub.requests[0]!.tokenValid, true);
  });

  it('encodes path segments and the revision', async () => {
    const client = new HubClient({ endpoint: hub.endpoint, fetch });
    const resolved = await client.resolveFile(REPO, hub.commitOf(REPO), 'dir/a b#1.json');
    assert.equal(resolved.size, 3);
    assert.equal(hub.requests[0]!.path, `/${REPO}/resolve/${hub.commitOf(REPO)}/dir/a%20b%231.json`);
    assert.equal(Buffer.from(await (await fetch(resolved.url)).arrayBuffer()).toString(), '[1]');
    await assert.rejects(client.resolveFile(REPO, 'main', 'dir/../config.json'), InvalidRepoPathError);
    await assert.rejects(client.resolveFile(REPO, 'main', '/config.json'), InvalidRepoPathError);
  });
});
