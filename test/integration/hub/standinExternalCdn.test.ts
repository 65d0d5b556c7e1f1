import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type HubStandin, type LfsRedirectFile, startHubStandin, writeFixtureFile } from '../../fixtures/hubStandin';
import { rawRequest } from './rawRequest';

// The two additions that let a benchmark put a real file server (nginx) behind the stand-in's resolves.
describe('Hub stand-in: external CDN support', () => {
  const weights = { path: 'model.safetensors', size: 1_234_567, seed: 11 };
  const REPO = 'org/external';

  describe('lfsRedirect', () => {
    let hub: HubStandin;
    const seen: LfsRedirectFile[] = [];

    beforeEach(async () => {
      seen.length = 0;
      hub = await startHubStandin({
        repos: [{ id: REPO, files: [{ path: 'config.json', content: '{}' }, weights, { path: 'sub/other.bin', size: 100, seed: 2 }] }],
        lfsRedirect: (file) => {
          seen.push(file);
          // Only some files go to the external origin: undefined must fall back to the stand-in's CDN.
          return file.path === 'model.safetensors' ? `http://cdn.example.invalid/blobs/${file.repoId}/${file.path}` : undefined;
        },
      });
    });
    afterEach(() => hub.close());

    it('points the LFS 302 at the URL it returns, with the usual X-Linked headers', async () => {
      const head = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD' });
      assert.equal(head.status, 302);
      assert.equal(head.headers.location, `http://cdn.example.invalid/blobs/${REPO}/model.safetensors`);
      const info = hub.fileInfo(REPO, 'model.safetensors');
      assert.equal(head.headers['x-linked-etag'], `"${info.sha256}"`);
      assert.equal(head.headers['x-linked-size'], String(weights.size));
      assert.equal(head.headers['x-repo-commit'], hub.commitOf(REPO));
      assert.deepEqual(seen, [{ repoId: REPO, path: 'model.safetensors', sha256: info.sha256, size: weights.size }]);
    });

    it('keeps the stand-in CDN when it returns undefined, and is not asked about git files', async () => {
      const lfs = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/sub/other.bin`, { method: 'HEAD' });
      assert.equal(lfs.status, 302);
      assert.ok(String(lfs.headers.location).startsWith(hub.cdnOrigin + '/'), String(lfs.headers.location));
      const cdn = await rawRequest(String(lfs.headers.location));
      assert.equal(cdn.status, 200);
      assert.equal(cdn.body.length, 100);
      const git = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/config.json`, { method: 'HEAD' });
      assert.equal(git.status, 307);
      assert.deepEqual(
        seen.map((f) => f.path),
        ['sub/other.bin'],
      );
    });
  });

  describe('writeFixtureFile', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'standin-write-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes exactly the bytes the stand-in serves and advertises, and leaves no partial file', async () => {
      const hub = await startHubStandin({ repos: [{ id: REPO, files: [weights, { path: 'config.json', content: '{"a":1}' }] }] });
      try {
        const target = path.join(dir, 'model.safetensors');
        const written = await writeFixtureFile(weights, target);
        const onDisk = readFileSync(target);
        const info = hub.fileInfo(REPO, 'model.safetensors');
        assert.equal(written.size, weights.size);
        assert.equal(onDisk.length, weights.size);
        assert.equal(createHash('sha256').update(onDisk).digest('hex'), info.sha256);
        assert.equal(written.sha256, info.sha256);
        const head = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD' });
        const served = await rawRequest(String(head.headers.location));
        assert.ok(served.body.equals(onDisk));

        const config = path.join(dir, 'config.json');
        await writeFixtureFile({ path: 'config.json', content: '{"a":1}' }, config);
        assert.equal(readFileSync(config, 'utf8'), '{"a":1}');
        assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors']);
      } finally {
        await hub.close();
      }
    });

    it('removes its partial file and rejects when the destination cannot be written', async () => {
      const target = path.join(dir, 'missing-dir', 'model.safetensors');
      await assert.rejects(writeFixtureFile(weights, target));
      assert.equal(existsSync(target), false);
      assert.equal(existsSync(`${target}.partial`), false);
    });
  });
});
