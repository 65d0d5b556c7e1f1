import assert from 'node:assert/strict';
import { fileDownloadInfo, listFiles, listModels, modelInfo } from '@huggingface/hub';
import { type HubStandin, seedModelFixtures, startHubStandin } from '../../fixtures/hubStandin';

/** The Hub's own JS client reads the stand-in as it reads the Hub: a check that the fixture is faithful. */
describe('Hub stand-in: read by @huggingface/hub', () => {
  let hub: HubStandin;
  const REPO = 'mlx-community/Meta-Llama-3.1-8B-Instruct-4bit';

  before(async () => {
    hub = await startHubStandin({ pageSize: 3, repos: seedModelFixtures({ weightBytes: 20_000 }) });
  });
  after(() => hub.close());

  it('lists files across pages with LFS hashes', async () => {
    const entries = [];
    for await (const entry of listFiles({ repo: REPO, recursive: true, hubUrl: hub.endpoint, fetch })) entries.push(entry);
    const shard = entries.find((e) => e.path === 'model-00001-of-00002.safetensors');
    assert.equal(shard?.lfs?.oid, hub.fileInfo(REPO, 'model-00001-of-00002.safetensors').sha256);
    assert.equal(entries.length, 9);
  });

  it('reads model info (revision HEAD, expand fields) and searches', async () => {
    const info = await modelInfo({ name: REPO, hubUrl: hub.endpoint, fetch, additionalFields: ['sha', 'library_name'] });
    assert.equal(info.name, REPO);
    assert.equal(info.sha, hub.commitOf(REPO));
    assert.equal(info.downloads, 151_000);
    const found = [];
    for await (const model of listModels({ search: { owner: 'mlx-community', query: 'DeepSeek' }, hubUrl: hub.endpoint, fetch, limit: 10 })) found.push(model.name);
    assert.equal(found.length, 3);
  });

  it('resolves download info through the CDN redirect', async () => {
    const info = await fileDownloadInfo({ repo: REPO, path: 'model-00002-of-00002.safetensors', hubUrl: hub.endpoint, fetch });
    assert.equal(info?.size, hub.fileInfo(REPO, 'model-00002-of-00002.safetensors').size);
    assert.equal(info?.etag.replace(/"/g, ''), hub.fileInfo(REPO, 'model-00002-of-00002.safetensors').sha256);
  });
});
