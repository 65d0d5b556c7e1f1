import assert from 'node:assert/strict';
import { request } from 'node:http';
import { type HubStandin, startHubStandin } from '../../fixtures/hubStandin';
import { rawRequest } from './rawRequest';

const REPO = 'org/tiny';
const SIZE = 200_000;

describe('Hub stand-in: faults', () => {
  let hub: HubStandin;
  let cdnUrl: string;
  let full: Buffer;

  beforeEach(async () => {
    hub = await startHubStandin({ repos: [{ id: REPO, files: [{ path: 'config.json', content: '{"a":1}' }, { path: 'model.safetensors', size: SIZE, seed: 9 }] }] });
    cdnUrl = String((await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD' })).headers.location);
    full = (await rawRequest(cdnUrl)).body;
    assert.equal(full.length, SIZE);
  });
  afterEach(() => hub.close());

  it('cut-after drops the connection after N body bytes, once when times=1', async () => {
    const fault = hub.faults.set({ kind: 'cut-after', bytes: 70_000, origin: 'cdn', times: 1 });
    const cut = await rawRequest(cdnUrl);
    assert.equal(cut.status, 200);
    assert.equal(cut.headers['content-length'], String(SIZE));
    assert.ok(cut.error, 'the body ends with a connection error');
    assert.equal(cut.body.length, 70_000);
    assert.ok(cut.body.equals(full.subarray(0, 70_000)));
    assert.equal(fault.hits, 1);
    assert.equal(hub.faults.active.length, 0);
    const next = await rawRequest(cdnUrl);
    assert.equal(next.body.length, SIZE);
  });

  it('cut-after counts bytes of a ranged response too', async () => {
    hub.faults.set({ kind: 'cut-after', bytes: 10, path: 'model.safetensors' });
    const cut = await rawRequest(cdnUrl, { headers: { Range: 'bytes=100-' } });
    assert.equal(cut.status, 206);
    assert.ok(cut.body.equals(full.subarray(100, 110)));
    assert.ok(cut.error);
  });

  it('cut-after with framing: no Content-Length, chunked (the cut is an error) or until the connection closes (the cut looks like an end)', async () => {
    hub.faults.set({ kind: 'cut-after', bytes: 70_000, framing: 'chunked', origin: 'cdn', times: 1 });
    const chunked = await rawRequest(cdnUrl);
    assert.equal(chunked.headers['content-length'], undefined);
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
    assert.ok(chunked.error, 'the unfinished chunked body ends with an error');
    assert.ok(chunked.body.equals(full.subarray(0, 70_000)));

    hub.faults.set({ kind: 'cut-after', bytes: 70_000, framing: 'until-close', origin: 'cdn', times: 1 });
    const untilClose = await rawRequest(cdnUrl);
    assert.equal(untilClose.headers['content-length'], undefined);
    assert.equal(untilClose.headers['transfer-encoding'], undefined);
    assert.equal(untilClose.headers.connection, 'close');
    assert.equal(untilClose.error, undefined, 'nothing tells the client the body was cut');
    assert.ok(untilClose.body.equals(full.subarray(0, 70_000)));

    hub.faults.set({ kind: 'cut-after', bytes: 10, framing: 'until-close', origin: 'cdn', times: 1 });
    const head = await rawRequest(cdnUrl, { method: 'HEAD' });
    assert.equal(head.headers['content-length'], String(SIZE), 'HEAD requests are not affected');
    assert.equal(hub.faults.active.length, 1);
  });

  it('status answers 503 with Retry-After only where path and origin match', async () => {
    const fault = hub.faults.set({ kind: 'status', status: 503, retryAfter: 2, origin: 'hub', path: '/api/models/' });
    const res = await rawRequest(`${hub.endpoint}/api/models/${REPO}`);
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '2');
    assert.equal((await rawRequest(cdnUrl, { method: 'HEAD' })).status, 200, 'the CDN is not affected');
    assert.equal((await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/config.json`, { method: 'HEAD' })).status, 307, 'other paths are not affected');
    assert.equal(fault.hits, 1);
    hub.faults.clear();
    assert.equal((await rawRequest(`${hub.endpoint}/api/models/${REPO}`)).status, 200);
  });

  it('rate-limit answers 429 with RateLimit and Retry-After', async () => {
    hub.faults.set({ kind: 'rate-limit', retryAfter: 7, times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/config.json`, { method: 'HEAD' });
      assert.equal(res.status, 429);
      assert.equal(res.headers.ratelimit, '"resolvers";r=0;t=7');
      assert.equal(res.headers['retry-after'], '7');
    }
    assert.equal((await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/config.json`, { method: 'HEAD' })).status, 307);
  });

  it('stall holds the body after afterBytes for ms, then sends the rest', async () => {
    hub.faults.set({ kind: 'stall', afterBytes: 1000, ms: 300, origin: 'cdn' });
    const gaps = await new Promise<{ firstAt: number; doneAt: number; body: Buffer }>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let firstAt = 0;
      request(cdnUrl, { agent: false }, (res) => {
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          received += chunk.length;
          if (received >= 1000 && !firstAt) firstAt = performance.now();
        });
        res.on('end', () => resolve({ firstAt, doneAt: performance.now(), body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    assert.ok(gaps.doneAt - gaps.firstAt >= 250, `paused ${gaps.doneAt - gaps.firstAt} ms`);
    assert.ok(gaps.body.equals(full));
  });

  it('stall ends when the client gives up, and close() does not wait for it', async () => {
    hub.faults.set({ kind: 'stall', afterBytes: 10, ms: 600_000 });
    const controller = new AbortController();
    const started = performance.now();
    const res = await fetch(cdnUrl, { signal: controller.signal });
    const reader = res.body!.getReader();
    let got = 0;
    while (got < 10) got += (await reader.read()).value?.length ?? 0;
    controller.abort();
    await assert.rejects(reader.read());
    await hub.close();
    assert.ok(performance.now() - started < 5000);
  });

  it('link-cap paces every body together, and a quiet spell buys no burst afterwards', async () => {
    hub.faults.set({ kind: 'link-cap', bytesPerSecond: 1_000_000, origin: 'cdn' });
    const timed = async () => {
      const started = performance.now();
      const answer = await rawRequest(cdnUrl);
      assert.ok(answer.body.equals(full));
      return performance.now() - started;
    };
    assert.ok((await timed()) >= 150, '200 kB at 1 MB/s');
    await new Promise((resolve) => setTimeout(resolve, 600)); // the link idles: what is tested here
    // Up to 100 ms of unused link may be made up for; the other 100 ms of this body are paced.
    assert.ok((await timed()) >= 60, 'not sent at once on credit from the idle time');
  });

  it('ignore-range answers 200 with the whole body', async () => {
    const fault = hub.faults.set({ kind: 'ignore-range' });
    const res = await rawRequest(cdnUrl, { headers: { Range: 'bytes=500-' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-range'], undefined);
    assert.ok(res.body.equals(full));
    assert.equal(fault.hits, 1);
  });

  it('flip-byte corrupts exactly one byte at the file offset, in full and ranged bodies', async () => {
    hub.faults.set({ kind: 'flip-byte', offset: 150_000 });
    const res = await rawRequest(cdnUrl);
    assert.equal(res.body.length, SIZE);
    assert.equal(res.body[150_000], full[150_000]! ^ 0xff);
    res.body[150_000] = full[150_000]!;
    assert.ok(res.body.equals(full));
    const ranged = await rawRequest(cdnUrl, { headers: { Range: 'bytes=149999-150001' } });
    assert.deepEqual([...ranged.body], [full[149_999], full[150_000]! ^ 0xff, full[150_001]]);
  });

  it('expire-urls makes every CDN URL answer 403 "Request has expired"', async () => {
    hub.faults.set({ kind: 'expire-urls' });
    const res = await rawRequest(cdnUrl);
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /Request has expired/);
    hub.faults.clear();
    assert.equal((await rawRequest(cdnUrl, { method: 'HEAD' })).status, 200);
  });

  for (const delta of [25, -25]) {
    it(`wrong-size ${delta > 0 ? 'adds' : 'removes'} bytes while the metadata keeps the real size`, async () => {
      hub.faults.set({ kind: 'wrong-size', delta });
      const head = await rawRequest(`${hub.endpoint}/${REPO}/resolve/main/model.safetensors`, { method: 'HEAD' });
      assert.equal(head.headers['x-linked-size'], String(SIZE));
      const res = await rawRequest(cdnUrl);
      assert.equal(res.error, undefined);
      assert.equal(res.headers['content-length'], String(SIZE + delta));
      assert.equal(res.body.length, SIZE + delta);
      assert.ok(res.body.subarray(0, Math.min(SIZE, SIZE + delta)).equals(full.subarray(0, Math.min(SIZE, SIZE + delta))));
      const small = await rawRequest(`${hub.endpoint}/api/resolve-cache/models/${REPO}/${hub.commitOf(REPO)}/config.json`);
      assert.equal(small.body.length, Math.max(0, 7 + delta));
    });
  }
});
