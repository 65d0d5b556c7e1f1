import assert from 'node:assert/strict';
import { HubClient } from '../../../src/core/hub/hubClient';
import { OfflineModeError, RevisionNotFoundError } from '../../../src/core/hub/hubErrors';
import { InvalidRepoIdError } from '../../../src/core/hub/repoId';
import { type HubStandin, seedModelFixtures, startHubStandin } from '../../fixtures/hubStandin';

const REPO = 'org/tiny';
const FILES = [
  { path: 'config.json', content: '{"model_type":"llama"}' },
  { path: 'model.safetensors', size: 100_000, seed: 2 },
  { path: 'sub/dir/notes.txt', content: 'hello' },
  { path: 'sub/x.json', content: '{}' },
];

describe('HubClient: metadata against the stand-in', () => {
  let hub: HubStandin;
  let client: HubClient;

  beforeEach(async () => {
    hub = await startHubStandin({
      pageSize: 2,
      token: 'hf_valid',
      repos: [{ id: REPO, files: FILES, downloads: 9, likes: 3, tags: ['mlx', 'llama'], libraryName: 'mlx' }, { id: 'org/secret', private: true, files: [{ path: 'a.txt', content: 'a' }] }, ...seedModelFixtures({ weightBytes: 10_000 })],
    });
    client = new HubClient({ endpoint: hub.endpoint, fetch });
  });
  afterEach(() => hub.close());

  it('modelInfo returns the commit, counters and siblings', async () => {
    const info = await client.modelInfo(REPO);
    assert.equal(info.id, REPO);
    assert.equal(info.sha, hub.commitOf(REPO));
    assert.equal(info.downloads, 9);
    assert.equal(info.likes, 3);
    assert.equal(info.libraryName, 'mlx');
    assert.equal(info.pipelineTag, 'text-generation');
    assert.equal(info.gated, false);
    assert.deepEqual(info.tags, ['mlx', 'llama']);
    assert.match(info.lastModified!, /^\d{4}-\d\d-\d\dT/);
    assert.equal(info.usedStorage, FILES.reduce((sum, f) => sum + (f.content?.length ?? f.size ?? 0), 0));
    assert.deepEqual(info.siblings.map((s) => s.path), ['config.json', 'model.safetensors', 'sub/dir/notes.txt', 'sub/x.json']);
    assert.equal(info.siblings[0]!.size, undefined);
  });

  it('modelInfo with blobs gives sizes and LFS hashes, and reads an older revision', async () => {
    const old = hub.commitOf(REPO);
    hub.setRepo({ id: REPO, files: FILES.slice(0, 2) });
    const info = await client.modelInfo(REPO, { blobs: true });
    assert.notEqual(info.sha, old, 'a changed repo has a new commit: an update is available');
    const weights = info.siblings.find((s) => s.path === 'model.safetensors')!;
    assert.deepEqual(weights, { path: 'model.safetensors', size: 100_000, lfs: { sha256: hub.fileInfo(REPO, 'model.safetensors').sha256, size: 100_000 } });
    const before = await client.modelInfo(REPO, { revision: old });
    assert.equal(before.sha, old);
    assert.equal(before.siblings.length, 4);
  });

  it('url-encodes revisions as one segment', async () => {
    await assert.rejects(client.modelInfo(REPO, { revision: 'refs/pr/1' }), (e: unknown) => e instanceof RevisionNotFoundError && /refs\/pr\/1/.test(e.userMessage));
    assert.ok(hub.requests.at(-1)!.path.includes('/revision/refs%2Fpr%2F1'));
  });

  it('listFiles follows every Link page and returns files only, with oids and LFS hashes', async () => {
    const files = await client.listFiles(REPO, 'main');
    assert.deepEqual(files.map((f) => f.path), ['config.json', 'model.safetensors', 'sub/dir/notes.txt', 'sub/x.json']);
    assert.equal(hub.requests.filter((r) => r.path.includes('/tree/')).length, 3, '6 entries (4 files, 2 folders) in pages of 2');
    const weights = files.find((f) => f.path === 'model.safetensors')!;
    const info = hub.fileInfo(REPO, 'model.safetensors');
    assert.deepEqual(weights, { path: 'model.safetensors', size: 100_000, oid: info.gitSha1, lfs: { sha256: info.sha256, size: 100_000 } });
    assert.equal(files[0]!.oid, hub.fileInfo(REPO, 'config.json').gitSha1);
    assert.equal(files[0]!.lfs, undefined);
  });

  it('listFiles at a commit lists that commit', async () => {
    const old = hub.commitOf(REPO);
    hub.setRepo({ id: REPO, files: [FILES[0]!] });
    assert.equal((await client.listFiles(REPO, old)).length, 4);
    assert.equal((await client.listFiles(REPO)).length, 1);
  });

  it('searchModels sorts by downloads, filters by author and stops at the limit across pages', async () => {
    const results = await client.searchModels({ author: 'mlx-community', limit: 3 });
    assert.deepEqual(results.map((m) => m.id), ['mlx-community/Llama-3.2-1B-Instruct-4bit', 'mlx-community/Llama-3.2-3B-Instruct-4bit', 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit']);
    assert.equal(hub.requests.length, 2, 'two pages of 2 for a limit of 3');
    assert.equal(results[0]!.libraryName, 'mlx');
    const deepseek = await client.searchModels({ search: 'DeepSeek', filter: ['mlx'], limit: 50 });
    assert.equal(deepseek.length, 3);
    assert.ok(deepseek.every((m, i) => i === 0 || deepseek[i - 1]!.downloads >= m.downloads));
  });

  it('sees private repos only with the token, which it sends to the endpoint', async () => {
    const anonymous = await client.searchModels({ search: 'org/' });
    assert.deepEqual(anonymous.map((m) => m.id), ['org/tiny']);
    const withToken = new HubClient({ endpoint: hub.endpoint, fetch, token: 'hf_valid' });
    const all = await withToken.searchModels({ search: 'org/' });
    assert.deepEqual(all.map((m) => m.id).sort(), ['org/secret', 'org/tiny']);
    assert.equal((await withToken.modelInfo('org/secret')).private, true);
    assert.ok(hub.requests.at(-1)!.tokenValid);
  });

  it('refuses to build a URL from an invalid repo id, and makes no request', async () => {
    await assert.rejects(client.modelInfo('../../etc'), InvalidRepoIdError);
    await assert.rejects(client.listFiles('a/b/c'), InvalidRepoIdError);
    await assert.rejects(client.resolveFile('nope', 'main', 'x'), InvalidRepoIdError);
    assert.equal(hub.requests.length, 0);
  });

  it('makes no request at all when offline', async () => {
    const offline = new HubClient({ endpoint: hub.endpoint, fetch, offline: true, token: 'hf_valid' });
    await assert.rejects(offline.modelInfo(REPO), OfflineModeError);
    await assert.rejects(offline.listFiles(REPO), OfflineModeError);
    await assert.rejects(offline.searchModels({ search: 'x' }), (e: unknown) => e instanceof OfflineModeError && /HF_HUB_OFFLINE/.test(e.userMessage));
    await assert.rejects(offline.resolveFile(REPO, 'main', 'config.json'), OfflineModeError);
    assert.equal(hub.requests.length, 0);
  });
});
