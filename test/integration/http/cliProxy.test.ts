import assert from 'node:assert/strict';
import { startHubStandin } from '../../fixtures/hubStandin';
import { startCli, useCliFixture } from '../cli/cliProcess';
import { MiB, tinyModel } from '../snapshot/modelHarness';
import { type LoggingProxy, startLoggingProxy } from './loggingProxy';
import { makeTestCertificates, type TestCertificates } from './testCertificates';
import { startTlsHubFront, type TlsHubFront } from './tlsHubFront';

const REPO = 'mlx-community/Tiny-4bit';
const USER_ONLY = `Basic ${Buffer.from('user:').toString('base64')}`;

/**
 * The built CLI (dist/cli.js, with its trimmed undici) behind a logging proxy: the Hub over HTTPS as in
 * real life (a TLS front with a throwaway CA the child trusts through NODE_EXTRA_CA_CERTS), so every
 * request is a CONNECT tunnel; and over plain http, where requests are forwarded in absolute form.
 */
describe('CLI behind a proxy, in real child processes', function () {
  this.timeout(60_000);
  const t = useCliFixture('mlx-cli-proxy-');
  let certificates: TestCertificates;
  let proxy: LoggingProxy;
  let tls: TlsHubFront | undefined;
  const children: ReturnType<typeof startCli>[] = [];

  before(() => {
    certificates = makeTestCertificates();
  });
  after(() => certificates.remove());
  beforeEach(async () => {
    proxy = await startLoggingProxy();
  });
  afterEach(async () => {
    // A CLI stuck in a loop must not outlive its test.
    for (const run of children.splice(0)) run.child.kill('SIGKILL');
    await tls?.close();
    tls = undefined;
    await proxy.close();
  });

  async function httpsHub(): Promise<TlsHubFront> {
    t.hub = await startHubStandin({ repos: [tinyModel(REPO, 2 * MiB)] });
    tls = await startTlsHubFront(t.hub, certificates);
    return tls;
  }

  /** Runs the CLI against `endpoint` with `env` (and the test CA); resolves when it exits. */
  async function cli(args: string[], endpoint: string, env: NodeJS.ProcessEnv) {
    const run = startCli([...args, '--cache-dir', t.cacheDir, '--endpoint', endpoint], { NODE_EXTRA_CA_CERTS: certificates.caPath, ...env });
    children.push(run);
    return { ...(await run.exited), lines: run.lines };
  }

  const connects = () => proxy.log.filter((r) => r.kind === 'connect').map((r) => r.target);

  it('downloads from an HTTPS Hub through HTTPS_PROXY, tunnelling to the Hub and its CDN with CONNECT', async () => {
    const front = await httpsHub();
    const { code, stderr, lines } = await cli(['download', REPO, '--json'], front.endpoint, { HTTPS_PROXY: proxy.url });
    assert.equal(code, 0, stderr);
    assert.equal(lines.at(-1)?.type, 'done');
    assert.ok(connects().includes(front.hubAuthority), `the proxy saw CONNECT ${front.hubAuthority}: ${JSON.stringify(proxy.log)}`);
    assert.ok(connects().includes(front.cdnAuthority), `the proxy saw CONNECT ${front.cdnAuthority}: ${JSON.stringify(proxy.log)}`);
    assert.ok(t.hub.requests.length > 0);
    assert.equal(proxy.log.filter((r) => r.kind === 'forward').length, 0, 'nothing went to the proxy unencrypted');
  });

  it('takes a proxy without a scheme as http://, and sends "user:" for a user without a password (as curl does)', async () => {
    const front = await httpsHub();
    const { code, stderr } = await cli(['info', REPO], front.endpoint, { HTTPS_PROXY: `user@127.0.0.1:${proxy.port}` });
    assert.equal(code, 0, stderr);
    assert.ok(connects().includes(front.hubAuthority), JSON.stringify(proxy.log));
    assert.ok(
      proxy.log.every((r) => r.proxyAuthorization === USER_ONLY),
      JSON.stringify(proxy.log),
    );
  });

  /** The one line the CLI printed: names the proxy (never its credentials) and where it was set, never the VS Code setting. */
  function assertProxyBlamed(stderr: string, cause: RegExp): void {
    const message = stderr.trim();
    assert.ok(!message.includes('\n'), message);
    assert.ok(message.includes(`${proxy.url} (from HTTPS_PROXY)`) || message.includes(`${proxy.url} (from HTTP_PROXY)`), message);
    assert.match(message, cause);
    assert.doesNotMatch(message, /http\.proxy|s3cret|alice/, message);
  }

  for (const [mode, cause] of [
    ['407', /needs credentials \(HTTP 407\): put them in the proxy URL, as http:\/\/user:password@127\.0\.0\.1:\d+\./],
    ['403', /refused the connection to localhost:\d+ \(HTTP 403\)/],
    ['close', /closed the connection to localhost:\d+ without an answer/],
  ] as const) {
    it(`blames the proxy, not the Hub, when it answers CONNECT with ${mode}`, async () => {
      const front = await httpsHub();
      proxy.setMode(mode);
      const { code, stderr } = await cli(['info', REPO], front.endpoint, { HTTPS_PROXY: proxy.url });
      assert.equal(code, 1, stderr);
      assertProxyBlamed(stderr, cause);
      assert.doesNotMatch(stderr, /token/i);
      assert.ok(proxy.log.length <= 5, `${proxy.log.length} CONNECTs`);
    });
  }

  it('names the proxy when a file download (the CDN) fails at the proxy, the Hub being reached direct', async () => {
    const front = await httpsHub();
    proxy.setMode('403');
    const { code, stderr } = await cli(['download', REPO], front.endpoint, { HTTPS_PROXY: proxy.url, NO_PROXY: front.hubAuthority });
    assert.equal(code, 1, stderr);
    const message = stderr.trim().split('\n').at(-1) ?? '';
    assert.match(message, /^mlx-models: Download failed \(/);
    assert.ok(message.includes(`The proxy ${proxy.url} (from HTTPS_PROXY) refused the connection to ${front.cdnAuthority} (HTTP 403): its rules may block this host. Check`), message);
    assert.ok(connects().every((target) => target === front.cdnAuthority), JSON.stringify(proxy.log));
    assert.equal(connects().length, 1, 'a refusal is not retried: the proxy would answer the same');
  });

  it('says the proxy rejected the credentials in its URL (407), without showing them', async () => {
    const front = await httpsHub();
    proxy.setMode('407');
    const { code, stderr } = await cli(['info', REPO], front.endpoint, { HTTPS_PROXY: proxy.url.replace('//', '//alice:s3cret@') });
    assert.equal(code, 1, stderr);
    assertProxyBlamed(stderr, /rejected the user name and password in its URL \(HTTP 407\)/);
  });

  it('says the proxy is not reachable when nothing listens there', async () => {
    const front = await httpsHub();
    await proxy.close();
    const { code, stderr } = await cli(['info', REPO], front.endpoint, { HTTPS_PROXY: proxy.url });
    assert.equal(code, 1, stderr);
    assertProxyBlamed(stderr, /is not reachable \(ECONNREFUSED\)/);
    proxy = await startLoggingProxy(); // afterEach closes one
  });

  it('names the variable holding a proxy value that is no URL', async () => {
    const front = await httpsHub();
    const { code, stderr } = await cli(['info', REPO], front.endpoint, { HTTPS_PROXY: 'http://alice:s3cret@not a host' });
    assert.equal(code, 1, stderr);
    assert.match(stderr.trim(), /^mlx-models: HTTPS_PROXY is not a usable proxy URL/);
    assert.doesNotMatch(stderr, /s3cret|alice/);
  });

  describe('a plain-http Hub (requests forwarded in absolute form)', () => {
    it('blames the proxy for a 407 and names it for a 403 of its own', async () => {
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
      proxy.setMode('407');
      const auth = await cli(['info', REPO], t.hub.endpoint, { HTTP_PROXY: proxy.url });
      assert.equal(auth.code, 1, auth.stderr);
      assertProxyBlamed(auth.stderr, /needs credentials \(HTTP 407\)/);

      proxy.setMode('403');
      const refused = await cli(['info', REPO], t.hub.endpoint, { HTTP_PROXY: proxy.url });
      assert.equal(refused.code, 1, refused.stderr);
      assertProxyBlamed(refused.stderr, /or the Hub behind it refused access \(HTTP 403\): check that the proxy allows 127\.0\.0\.1:\d+/);
    });

    it('goes direct for a host in a NO_PROXY CIDR range', async () => {
      t.hub = await startHubStandin({ repos: [tinyModel(REPO, 1 * MiB)] });
      const { code, stderr } = await cli(['download', REPO, '--json'], t.hub.endpoint, { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.0/8' });
      assert.equal(code, 0, stderr);
      assert.deepEqual(proxy.log, [], 'the proxy saw nothing');
      assert.ok(t.hub.requests.length > 0);
    });
  });
});
