import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashBytes } from '../../../src/core/cache/contentHash';
import { type HubStandin, startHubStandin } from '../../fixtures/hubStandin';
import { rawRequest } from './rawRequest';

const REPO = 'org/tiny';
const WEIGHTS_SIZE = 3_000_000;

describe('Hub stand-in: resolve and CDN', () => {
  let hub: HubStandin;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2026, 0, 1);
    hub = await startHubStandin({
      token: 'hf_valid',
      otherTokens: ['hf_other'],
      cdnUrlTtlSeconds: 60,
      now: () => clock,
      repos: [
        { id: REPO, files: [{ path: 'config.json', content: '{"a":1}' }, { path: 'model.safetensors', size: WEIGHTS_SIZE, seed: 3 }, { path: 'dir/a b.json', content: '[]' }] },
        { id: 'org/gated', gated: true, files: [{ path: 'model.safetensors', size: 1000 }] },
      ],
    });
  });
  afterEach(() => hub.close());

  const resolveUrl = (path: string, repo = REPO, rev = 'main') => `${hub.endpoint}/${repo}/resolve/${rev}/${path}`;

  it('redirects a git file with a relative 307 to the resolve cache, which serves it with its git sha1 etag', async () => {
    const head = await rawRequest(resolveUrl('config.json'), { method: 'HEAD' });
    assert.equal(head.status, 307);
    const commit = hub.commitOf(REPO);
    assert.equal(head.headers.location, `/api/resolve-cache/models/${REPO}/${commit}/config.json`);
    assert.equal(head.headers['x-repo-commit'], commit);
    const final = await rawRequest(hub.endpoint + String(head.headers.location));
    assert.equal(final.status, 200);
    assert.equal(final.body.toString(), '{"a":1}');
    assert.equal(final.headers.etag, `"${hashBytes('git-sha1', final.body)}"`);
    assert.equal(final.headers['content-length'], '7');
    assert.equal(final.headers['x-repo-commit'], commit);
    assert.equal(hub.fileInfo(REPO, 'config.json').gitSha1, hashBytes('git-sha1', final.body));
  });

  it('encodes paths with spaces in the resolve-cache location', async () => {
    const head = await rawRequest(resolveUrl('dir/a%20b.json'), { method: 'HEAD' });
    assert.equal(head.headers.location, `/api/resolve-cache/models/${REPO}/${hub.commitOf(REPO)}/dir/a%20b.json`);
    const body = await rawRequest(hub.endpoint + String(head.headers.location));
    assert.equal(body.body.toString(), '[]');
  });

  it('redirects an LFS file with an absolute 302 to the CDN carrying X-Linked-Etag and X-Linked-Size', async () => {
    const head = await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' });
    assert.equal(head.status, 302);
    const location = String(head.headers.location);
    assert.ok(location.startsWith(hub.cdnOrigin + '/'), location);
    const info = hub.fileInfo(REPO, 'model.safetensors');
    assert.equal(head.headers['x-linked-etag'], `"${info.sha256}"`);
    assert.equal(head.headers['x-linked-size'], String(WEIGHTS_SIZE));
    assert.equal(head.headers['x-repo-commit'], hub.commitOf(REPO));
    assert.ok(Number(head.headers['content-length']) < 1000, 'Content-Length is the redirect body, not the file');
    const cdn = await rawRequest(location);
    assert.equal(cdn.status, 200);
    assert.equal(cdn.headers['accept-ranges'], 'bytes');
    assert.equal(cdn.body.length, WEIGHTS_SIZE);
    assert.equal(createHash('sha256').update(cdn.body).digest('hex'), info.sha256);
  });

  it('names the CDN by cdnHostname, another host than the Hub, as huggingface_hub expects', async () => {
    const other = await startHubStandin({ cdnHostname: 'localhost', repos: [{ id: REPO, files: [{ path: 'model.safetensors', size: 1000, seed: 3 }] }] });
    try {
      assert.match(other.cdnOrigin, /^http:\/\/localhost:\d+$/);
      const head = await rawRequest(`${other.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD' });
      const location = new URL(String(head.headers.location));
      assert.equal(location.origin, other.cdnOrigin);
      assert.notEqual(location.hostname, new URL(other.endpoint).hostname);
      const cdn = await rawRequest(location.href);
      assert.equal(cdn.status, 200);
      assert.equal(createHash('sha256').update(cdn.body).digest('hex'), other.fileInfo(REPO, 'model.safetensors').sha256);
    } finally {
      await other.close();
    }
  });

  it('serves ranges with 206 and the same bytes as the full body, and 416 past the end', async () => {
    const location = String((await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' })).headers.location);
    const full = (await rawRequest(location)).body;
    const start = 1_000_003;
    const part = await rawRequest(location, { headers: { Range: `bytes=${start}-` } });
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes ${start}-${WEIGHTS_SIZE - 1}/${WEIGHTS_SIZE}`);
    assert.ok(part.body.equals(full.subarray(start)));
    const middle = await rawRequest(location, { headers: { Range: 'bytes=17-32' } });
    assert.ok(middle.body.equals(full.subarray(17, 33)));
    const past = await rawRequest(location, { headers: { Range: `bytes=${WEIGHTS_SIZE}-` } });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${WEIGHTS_SIZE}`);
  });

  it('serves ranges of git files from the resolve cache', async () => {
    const res = await rawRequest(`${hub.endpoint}/api/resolve-cache/models/${REPO}/${hub.commitOf(REPO)}/config.json`, { headers: { Range: 'bytes=1-' } });
    assert.equal(res.status, 206);
    assert.equal(res.body.toString(), '"a":1}');
    assert.equal(res.headers['content-range'], 'bytes 1-6/7');
  });

  it('answers If-Range with another etag by the full file, and If-Match with another etag by 412', async () => {
    const location = String((await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' })).headers.location);
    const ifRange = await rawRequest(location, { headers: { Range: 'bytes=10-', 'If-Range': '"other"' } });
    assert.equal(ifRange.status, 200);
    const ifMatch = await rawRequest(location, { headers: { Range: 'bytes=10-', 'If-Match': '"other"' } });
    assert.equal(ifMatch.status, 412);
    const etag = `"${hub.fileInfo(REPO, 'model.safetensors').sha256}"`;
    assert.equal((await rawRequest(location, { headers: { Range: 'bytes=10-', 'If-Match': etag } })).status, 206);
  });

  it('expires CDN URLs after their lifetime with an S3-style 403', async () => {
    const location = String((await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' })).headers.location);
    clock += 61_000;
    const expired = await rawRequest(location);
    assert.equal(expired.status, 403);
    assert.match(expired.body.toString(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    const fresh = String((await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' })).headers.location);
    assert.equal((await rawRequest(fresh, { method: 'HEAD' })).status, 200);
    const tampered = fresh.replace(/X-Amz-Expires=60/, 'X-Amz-Expires=99999');
    assert.equal((await rawRequest(tampered)).status, 403);
  });

  it('answers unknown files with 404 EntryNotFound and the commit, unknown revisions with RevisionNotFound', async () => {
    const missing = await rawRequest(resolveUrl('nope.json'), { method: 'HEAD' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-error-code'], 'EntryNotFound');
    assert.equal(missing.headers['x-repo-commit'], hub.commitOf(REPO));
    const rev = await rawRequest(resolveUrl('config.json', REPO, 'v9'));
    assert.equal(rev.headers['x-error-code'], 'RevisionNotFound');
    assert.deepEqual(JSON.parse(rev.body.toString()), { error: 'Invalid rev id: v9' });
  });

  it('refuses gated downloads: 401 anonymous, 403 for a user without access, 302 with the valid token', async () => {
    const anon = await rawRequest(resolveUrl('model.safetensors', 'org/gated'), { method: 'HEAD' });
    assert.equal(anon.status, 401);
    assert.equal(anon.headers['x-error-code'], 'GatedRepo');
    const other = await rawRequest(resolveUrl('model.safetensors', 'org/gated'), { headers: { Authorization: 'Bearer hf_other' } });
    assert.equal(other.status, 403);
    assert.equal(other.headers['x-error-code'], 'GatedRepo');
    assert.match(JSON.parse(other.body.toString()).error, /restricted/);
    const ok = await rawRequest(resolveUrl('model.safetensors', 'org/gated'), { method: 'HEAD', headers: { Authorization: 'Bearer hf_valid' } });
    assert.equal(ok.status, 302);
    // The CDN URL itself is the credential: no token needed there.
    const cdn = await rawRequest(String(ok.headers.location));
    assert.equal(cdn.body.length, 1000);
    const cdnRecord = hub.requests.filter((r) => r.origin === 'cdn').at(-1)!;
    assert.equal(cdnRecord.hasAuthorization, false);
  });

  it('records on the CDN whether an Authorization header arrived', async () => {
    const location = String((await rawRequest(resolveUrl('model.safetensors'), { method: 'HEAD' })).headers.location);
    await rawRequest(location, { method: 'HEAD', headers: { Authorization: 'Bearer hf_valid', Range: 'bytes=0-9' } });
    const record = hub.requests.at(-1)!;
    assert.equal(record.origin, 'cdn');
    assert.equal(record.hasAuthorization, true);
    assert.equal(record.range, 'bytes=0-9');
    assert.equal(record.status, 206);
  });
});
