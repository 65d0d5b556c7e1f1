import assert from 'node:assert/strict';
import { EntryNotFoundError, GatedRepoError, HubAuthError, HubError, HubUnavailableError, RateLimitedError, RepoNotFoundError, retryAfterFromHeaders, RevisionNotFoundError, toHubError } from '../../../../src/core/hub/hubErrors';

const URL_ = 'https://huggingface.co/api/models/org/x';
const answer = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers) });

describe('toHubError', () => {
  it('maps X-Error-Code first', () => {
    assert.ok(toHubError(answer(404, { 'X-Error-Code': 'RepoNotFound' }), URL_, { repoId: 'org/x' }) instanceof RepoNotFoundError);
    assert.ok(toHubError(answer(404, { 'X-Error-Code': 'RevisionNotFound' }), URL_) instanceof RevisionNotFoundError);
    assert.ok(toHubError(answer(403, { 'X-Error-Code': 'GatedRepo' }), URL_) instanceof GatedRepoError);
    const entry = toHubError(answer(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': 'a'.repeat(40) }), URL_, { path: 'x.json', repoId: 'org/x', revision: 'main' });
    assert.ok(entry instanceof EntryNotFoundError);
    assert.equal(entry.commit, 'a'.repeat(40));
    assert.equal(entry.userMessage, 'x.json is not in org/x at main. The repo may have changed: refresh the model list.');
  });

  it('reads an anonymous 401 without a code on a repo as "not found or private", like huggingface_hub', () => {
    const error = toHubError(answer(401), URL_, { repoId: 'org/x' });
    assert.ok(error instanceof RepoNotFoundError);
    assert.equal(error.status, 401);
    assert.equal(error.url, URL_);
  });

  it('maps a rejected token to HubAuthError, and other 401/403 too', () => {
    const rejected = toHubError(answer(401, { 'X-Error-Message': 'Invalid credentials in Authorization header' }), URL_, { repoId: 'org/x' });
    assert.ok(rejected instanceof HubAuthError);
    assert.match(rejected.userMessage, /token was rejected/);
    assert.ok(toHubError(answer(403), URL_) instanceof HubAuthError);
  });

  it('maps 5xx to HubUnavailableError, 429 to RateLimitedError, the rest to HubError', () => {
    assert.ok(toHubError(answer(502), URL_) instanceof HubUnavailableError);
    const limited = toHubError(answer(429, { RateLimit: '"resolvers";r=0;t=42' }), URL_);
    assert.ok(limited instanceof RateLimitedError);
    assert.equal(limited.retryAfterMs, 42_000);
    const other = toHubError(answer(400, { 'X-Error-Message': 'bad' }), URL_);
    assert.equal(other.constructor, HubError);
    assert.equal(other.serverMessage, 'bad');
    assert.equal(other.name, 'HubError');
    assert.equal(limited.name, 'RateLimitedError');
  });
});

describe('the gated-repo message', () => {
  const gated = (url: string, context: Parameters<typeof toHubError>[2]) => toHubError(answer(403, { 'X-Error-Code': 'GatedRepo' }), url, { repoId: 'org/x', ...context }).userMessage;

  it('links the license page on huggingface.co for the default endpoint', () => {
    assert.equal(gated(URL_, { endpoint: 'https://huggingface.co' }), 'org/x is gated and your token has no access yet: accept the license on https://huggingface.co/org/x (approval may take a while), then try again.');
    assert.match(gated(URL_, {}), /on https:\/\/huggingface\.co\/org\/x /);
  });

  it('links the configured endpoint (a mirror, with its path prefix) instead', () => {
    const message = gated('https://hub.example.com/hf/api/models/org/x/revision/main', { endpoint: 'https://hub.example.com/hf/' });
    assert.match(message, /accept the license on https:\/\/hub\.example\.com\/hf\/org\/x /);
    assert.doesNotMatch(message, /huggingface\.co/);
  });

  it('without an endpoint, links the origin that answered', () => {
    assert.match(gated('http://127.0.0.1:8123/api/models/org/x', {}), /on http:\/\/127\.0\.0\.1:8123\/org\/x /);
  });
});

describe('retryAfterFromHeaders', () => {
  it('prefers RateLimit t=, then Retry-After seconds or date', () => {
    assert.equal(retryAfterFromHeaders(new Headers({ RateLimit: '"resolvers";r=0;t=7', 'Retry-After': '99' })), 7000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'Retry-After': '3' })), 3000);
    const now = Date.UTC(2026, 0, 1);
    assert.equal(retryAfterFromHeaders(new Headers({ 'Retry-After': new Date(now + 5000).toUTCString() }), now), 5000);
    assert.equal(retryAfterFromHeaders(new Headers({ 'Retry-After': 'soon' })), undefined);
    assert.equal(retryAfterFromHeaders(new Headers()), undefined);
  });
});
