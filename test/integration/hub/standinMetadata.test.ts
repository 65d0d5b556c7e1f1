import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashBytes } from '../../../src/core/cache/contentHash';
import { type HubStandin, seedModelFixtures, startHubStandin } from '../../fixtures/hubStandin';

const TINY = 'org/tiny';

describe('Hub stand-in: metadata API', () => {
  let hub: HubStandin;

  beforeEach(async () => {
    hub = await startHubStandin({
      token: 'hf_valid',
      otherTokens: ['hf_other'],
      repos: [
        {
          id: TINY,
          downloads: 5,
          likes: 2,
          tags: ['mlx'],
          libraryName: 'mlx',
          files: [
            { path: 'config.json', content: '{"model_type":"llama"}' },
            { path: 'model.safetensors', size: 300_000, seed: 1 },
            { path: 'sub/dir/notes.txt', content: 'hello' },
          ],
        },
        { id: 'org/secret', private: true, files: [{ path: 'a.txt', content: 'a' }] },
        { id: 'org/gated', gated: true, files: [{ path: 'a.txt', content: 'a' }] },
        ...seedModelFixtures({ weightBytes: 50_000 }),
      ],
    });
  });
  afterEach(() => hub.close());

  const getJson = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(hub.endpoint + path, { headers });
    return { res, json: (await res.json()) as unknown };
  };

  it('answers model info with the commit, siblings and counters', async () => {
    const { res, json } = await getJson(`/api/models/${TINY}`);
    const info = json as Record<string, unknown>;
    assert.equal(res.status, 200);
    assert.equal(info.id, TINY);
    assert.equal(info.sha, hub.commitOf(TINY));
    assert.match(String(info.sha), /^[0-9a-f]{40}$/);
    assert.equal(info.gated, false);
    assert.equal(info.library_name, 'mlx');
    assert.equal(info.downloads, 5);
    assert.deepEqual(info.siblings, [{ rfilename: 'config.json' }, { rfilename: 'model.safetensors' }, { rfilename: 'sub/dir/notes.txt' }]);
  });

  it('adds size and lfs to siblings with blobs=true, matching fileInfo', async () => {
    const { json } = await getJson(`/api/models/${TINY}/revision/main?blobs=true`);
    const siblings = (json as { siblings: { rfilename: string; blobId: string; size: number; lfs?: { sha256: string; size: number } }[] }).siblings;
    const weights = siblings.find((s) => s.rfilename === 'model.safetensors')!;
    assert.equal(weights.size, 300_000);
    assert.equal(weights.lfs?.sha256, hub.fileInfo(TINY, 'model.safetensors').sha256);
    for (const s of siblings) assert.equal(s.blobId, hub.fileInfo(TINY, s.rfilename).gitSha1, `${s.rfilename}: blobId is the tree oid`);
    assert.equal(siblings.find((s) => s.rfilename === 'config.json')!.lfs, undefined);
  });

  it('serves HEAD on model info and accepts url-encoded and commit revisions', async () => {
    const head = await fetch(`${hub.endpoint}/api/models/${TINY}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-repo-commit'), hub.commitOf(TINY));
    const byCommit = await getJson(`/api/models/${TINY}/revision/${hub.commitOf(TINY)}`);
    assert.equal(byCommit.res.status, 200);
    const pr = await fetch(`${hub.endpoint}/api/models/${TINY}/revision/refs%2Fpr%2F1`);
    assert.equal(pr.status, 404);
    assert.equal(pr.headers.get('x-error-code'), 'RevisionNotFound');
    assert.equal(pr.headers.get('x-error-message'), 'Invalid rev id: refs/pr/1');
    assert.deepEqual(await pr.json(), { error: 'Invalid rev id: refs/pr/1' });
  });

  it('reports unknown and private repos as RepoNotFound: 401 anonymous, 404 with a token', async () => {
    for (const id of ['org/missing', 'org/secret']) {
      const anon = await fetch(`${hub.endpoint}/api/models/${id}`);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('x-error-code'), 'RepoNotFound');
      const other = await fetch(`${hub.endpoint}/api/models/${id}`, { headers: { Authorization: 'Bearer hf_other' } });
      assert.equal(other.status, 404);
      assert.equal(other.headers.get('x-error-code'), 'RepoNotFound');
    }
    const ok = await fetch(`${hub.endpoint}/api/models/org/secret`, { headers: { Authorization: 'Bearer hf_valid' } });
    assert.equal(ok.status, 200);
  });

  it('rejects an unknown token with 401 invalid credentials, and records it redacted', async () => {
    const res = await fetch(`${hub.endpoint}/api/models/${TINY}`, { headers: { Authorization: 'Bearer hf_nope' } });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('x-error-message'), 'Invalid credentials in Authorization header');
    const record = hub.requests.at(-1)!;
    assert.equal(record.hasAuthorization, true);
    assert.equal(record.tokenValid, false);
    assert.equal(record.headers.authorization, '<redacted>');
    assert.equal(record.status, 401);
  });

  it('keeps gated metadata public', async () => {
    const { res, json } = await getJson('/api/models/org/gated');
    assert.equal(res.status, 200);
    assert.equal((json as { gated: unknown }).gated, 'manual');
  });

  it('returns only the expanded fields when expand= is given', async () => {
    const { json } = await getJson(`/api/models/${TINY}?expand=downloads&expand=sha`);
    assert.deepEqual(Object.keys(json as object).sort(), ['_id', 'downloads', 'id', 'sha']);
  });

  for (const flag of ['true', 'True', '1']) {
    it(`lists the tree recursively with recursive=${flag}, oids matching the bytes`, async () => {
      const { json } = await getJson(`/api/models/${TINY}/tree/main?recursive=${flag}`);
      const entries = json as { type: string; path: string; oid: string; size: number; lfs?: { oid: string; size: number; pointerSize: number } }[];
      assert.deepEqual(
        entries.map((e) => `${e.type}:${e.path}`),
        ['file:config.json', 'file:model.safetensors', 'directory:sub', 'directory:sub/dir', 'file:sub/dir/notes.txt'],
      );
      const config = entries.find((e) => e.path === 'config.json')!;
      assert.equal(config.oid, hashBytes('git-sha1', Buffer.from('{"model_type":"llama"}')));
      const weights = entries.find((e) => e.path === 'model.safetensors')!;
      const info = hub.fileInfo(TINY, 'model.safetensors');
      assert.deepEqual(weights.lfs, { oid: info.sha256, size: 300_000, pointerSize: weights.lfs!.pointerSize });
      assert.equal(weights.oid, info.gitSha1);
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${info.sha256}\nsize 300000\n`;
      assert.equal(weights.lfs!.pointerSize, pointer.length);
      assert.equal(weights.oid, hashBytes('git-sha1', Buffer.from(pointer)), 'an LFS oid is the pointer blob sha1, as on the Hub');
    });
  }

  it('lists only direct children without recursive, and a sub folder by path', async () => {
    const top = (await getJson(`/api/models/${TINY}/tree/main`)).json as { path: string }[];
    assert.deepEqual(top.map((e) => e.path), ['config.json', 'model.safetensors', 'sub']);
    const sub = (await getJson(`/api/models/${TINY}/tree/main/sub?recursive=true`)).json as { path: string }[];
    assert.deepEqual(sub.map((e) => e.path), ['sub/dir', 'sub/dir/notes.txt']);
    const missing = await fetch(`${hub.endpoint}/api/models/${TINY}/tree/main/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-error-code'), 'EntryNotFound');
  });

  it('pages the tree with Link rel="next"', async () => {
    await hub.close();
    hub = await startHubStandin({ pageSize: 2, repos: [{ id: TINY, files: Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.txt`, content: String(i) })) }] });
    const paths: string[] = [];
    let url: string | undefined = `${hub.endpoint}/api/models/${TINY}/tree/main?recursive=true`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url);
      paths.push(...((await res.json()) as { path: string }[]).map((e) => e.path));
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(paths, ['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
  });

  it('searches by author, sorted by downloads, paged by limit, hiding private repos', async () => {
    const res = await fetch(`${hub.endpoint}/api/models?author=mlx-community&sort=downloads&direction=-1&limit=4`);
    const page = (await res.json()) as { id: string; downloads: number }[];
    assert.equal(page.length, 4);
    assert.equal(page[0]!.id, 'mlx-community/Llama-3.2-1B-Instruct-4bit');
    assert.ok(page.every((m, i) => i === 0 || page[i - 1]!.downloads >= m.downloads));
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    assert.ok(next);
    const rest = (await (await fetch(next)).json()) as { id: string }[];
    assert.equal(rest.length, 2);
    const search = (await (await fetch(`${hub.endpoint}/api/models?search=deepseek`)).json()) as { id: string }[];
    assert.equal(search.length, 3);
    const all = (await (await fetch(`${hub.endpoint}/api/models?search=org/`)).json()) as { id: string }[];
    assert.deepEqual(all.map((m) => m.id).sort(), ['org/gated', 'org/tiny']);
  });

  it('gives a changed repo a new commit, keeps the old one resolvable, and is deterministic', async () => {
    const before = hub.commitOf(TINY);
    hub.setRepo({ id: TINY, files: [{ path: 'config.json', content: '{"model_type":"llama"}' }, { path: 'model.safetensors', size: 300_000, seed: 1 }, { path: 'sub/dir/notes.txt', content: 'hello' }] });
    assert.equal(hub.commitOf(TINY), before, 'same files, same commit');
    hub.setRepo({ id: TINY, files: [{ path: 'config.json', content: '{"model_type":"qwen2"}' }] });
    const after = hub.commitOf(TINY);
    assert.notEqual(after, before);
    const old = await fetch(`${hub.endpoint}/api/models/${TINY}/revision/${before}`);
    assert.equal(((await old.json()) as { siblings: unknown[] }).siblings.length, 3);
    const other = await startHubStandin({ repos: [{ id: TINY, files: [{ path: 'config.json', content: '{"model_type":"qwen2"}' }] }] });
    try {
      assert.equal(other.commitOf(TINY), after);
    } finally {
      await other.close();
    }
  });

  it('builds seed models with realistic configs and one sharded model', async () => {
    const tree = (await getJson('/api/models/mlx-community/Meta-Llama-3.1-8B-Instruct-4bit/tree/main?recursive=true')).json as { path: string }[];
    assert.ok(tree.some((e) => e.path === 'model-00002-of-00002.safetensors'));
    const res = await fetch(`${hub.endpoint}/mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit/resolve/main/config.json`);
    const config = (await res.json()) as Record<string, unknown>;
    assert.equal(config.model_type, 'qwen2');
    assert.deepEqual(config.quantization, { group_size: 64, bits: 8 });
    for (const key of ['hidden_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'max_position_embeddings', 'vocab_size']) assert.equal(typeof config[key], 'number', key);
    const weights = await fetch(`${hub.endpoint}/mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit/resolve/main/model.safetensors`);
    const bytes = Buffer.from(await weights.arrayBuffer());
    const headerLength = Number(bytes.readBigUInt64LE(0));
    assert.ok(JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')).__metadata__);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), hub.fileInfo('mlx-community/DeepSeek-R1-Distill-Qwen-1.5B-8bit', 'model.safetensors').sha256);
  });
});
