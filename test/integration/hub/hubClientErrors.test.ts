import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubClient, type HubClientOptions } from '../../../src/core/hub/hubClient';
import { EntryNotFoundError, GatedRepoError, HubAuthError, HubUnavailableError, RateLimitedError, RepoNotFoundError, RevisionNotFoundError } from '../../../src/core/hub/hubErrors';
import { type HubStandin, startHubStandin } from '../../fixtures/hubStandin';

const REPO = 'org/tiny';

describe('HubClient: errors against the stand-in', () => {
  let hub: HubStandin;
  const client = (options: Partial<HubClientOptions> = {}) => new HubClient({ endpoint: hub.endpoint, fetch, ...options });

  beforeEach(async () => {
    hub = await startHubStandin({
      token: 'hf_valid',
      otherTokens: ['hf_other'],
      repos: [
        { id: REPO, files: [{ path: 'config.json', content: '{}' }] },
        { id: 'org/gated', gated: true, files: [{ path: 'model.safetensors', size: 100 }] },
        { id: 'org/secret', private: true, files: [{ path: 'a.txt', content: 'a' }] },
      ],
    });
  });
  afterEach(() => hub.close());

  it('RepoNotFound: anonymous 401 and with-token 404, for missing and private repos', async () => {
    for (const id of ['org/missing', 'org/secret']) {
      await assert.rejects(client().modelInfo(id), (e: unknown) => e instanceof RepoNotFoundError && e.status === 401 && e.errorCode === 'RepoNotFound' && e.userMessage.includes('set a token'));
      await assert.rejects(client({ token: 'hf_other' }).listFiles(id), (e: unknown) => e instanceof RepoNotFoundError && e.status === 404 && e.url.includes(`/api/models/${id}/tree/main`));
    }
  });

  it('RevisionNotFound from every method', async () => {
    const isRevision = (e: unknown) => e instanceof RevisionNotFoundError && e.status === 404 && e.userMessage.includes('"v2"');
    await assert.rejects(client().modelInfo(REPO, { revision: 'v2' }), isRevision);
    await assert.rejects(client().listFiles(REPO, 'v2'), isRevision);
    await assert.rejects(client().resolveFile(REPO, 'v2', 'config.json'), isRevision);
  });

  it('EntryNotFound carries the commit it looked in', async () => {
    await assert.rejects(client().resolveFile(REPO, 'main', 'missing.json'), (e: unknown) => e instanceof EntryNotFoundError && e.commit === hub.commitOf(REPO) && e.userMessage.startsWith('missing.json is not in org/tiny'));
  });

  it('GatedRepo: anonymous 401 asks for the license and a token; another user gets 403', async () => {
    await assert.rejects(client().resolveFile('org/gated', 'main', 'model.safetensors'), (e: unknown) => {
      assert.ok(e instanceof GatedRepoError);
      assert.equal(e.status, 401);
      // The license page is on the Hub the client talks to (here the stand-in), not always huggingface.co.
      assert.ok(e.userMessage.includes(`accept the license on ${hub.endpoint}/org/gated and set a token (MLX: Set Hugging Face Token or HF_TOKEN)`), e.userMessage);
      return true;
    });
    await assert.rejects(client({ token: 'hf_other' }).resolveFile('org/gated', 'main', 'model.safetensors'), (e: unknown) => e instanceof GatedRepoError && e.status === 403 && /no access yet/.test(e.userMessage));
  });

  it('HubAuthError for a rejected token, with a message that never contains it', async () => {
    await assert.rejects(client({ token: 'hf_wrong_secret' }).modelInfo(REPO), (e: unknown) => e instanceof HubAuthError && e.status === 401 && /token was rejected/.test(e.userMessage) && !JSON.stringify({ ...e, m: e.message }).includes('hf_wrong_secret'));
  });

  it('HubUnavailableError for 5xx and for an unreachable host (once retries run out: hubClientRetries.test.ts)', async () => {
    hub.faults.set({ kind: 'status', status: 503, origin: 'hub' });
    await assert.rejects(client({ retryBaseDelayMs: 5 }).modelInfo(REPO), (e: unknown) => e instanceof HubUnavailableError && e.status === 503);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = new HubClient({ endpoint: `http://127.0.0.1:${port}`, fetch, retryBaseDelayMs: 5 });
    await assert.rejects(down.modelInfo(REPO), (e: unknown) => e instanceof HubUnavailableError && e.status === undefined && /Could not reach/.test(e.userMessage));
  });

  it('waits out 429s per RateLimit and succeeds', async () => {
    const fault = hub.faults.set({ kind: 'rate-limit', retryAfter: 0, times: 2 });
    const info = await client().modelInfo(REPO);
    assert.equal(info.id, REPO);
    assert.equal(fault.hits, 2);
    assert.deepEqual(hub.requests.map((r) => r.status), [429, 429, 200]);
  });

  it('gives up after maxRateLimitRetries with the wait the Hub asked for', async () => {
    hub.faults.set({ kind: 'rate-limit', retryAfter: 0 });
    await assert.rejects(client({ maxRateLimitRetries: 2 }).listFiles(REPO), (e: unknown) => e instanceof RateLimitedError && e.retryAfterMs === 0);
    assert.equal(hub.requests.length, 3);
    hub.faults.clear();
    hub.requests.length = 0;
    hub.faults.set({ kind: 'rate-limit', retryAfter: 3600 });
    await assert.rejects(client().resolveFile(REPO, 'main', 'config.json'), (e: unknown) => e instanceof RateLimitedError && e.retryAfterMs === 3_600_000 && /try again in 3600 s/.test(e.userMessage));
    assert.equal(hub.requests.length, 1, 'a wait beyond maxServerWaitMs fails at once');
  });

  it('stops waiting for a 429 when the signal aborts', async () => {
    hub.faults.set({ kind: 'rate-limit', retryAfter: 30 });
    const controller = new AbortController();
    const abortOn429: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 429) queueMicrotask(() => controller.abort(new Error('user cancelled')));
      return response;
    };
    const started = performance.now();
    await assert.rejects(client({ fetch: abortOn429 }).modelInfo(REPO, { signal: controller.signal }), /user cancelled/);
    assert.ok(performance.now() - started < 5000);
    assert.equal(hub.requests.length, 1);
  });
});
