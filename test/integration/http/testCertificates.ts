import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throwaway CA and a server certificate it signed, for `localhost` and `127.0.0.1`. */
export interface TestCertificates {
  /** The CA's certificate file: give it to clients as NODE_EXTRA_CA_CERTS. */
  readonly caPath: string;
  readonly ca: Buffer;
  /** The server's key and certificate (PEM). */
  readonly key: Buffer;
  readonly cert: Buffer;
  /** Removes the folder holding them. */
  remove(): void;
}

/**
 * Makes the CA and certificate with `openssl` at test time (a day of validity, P-256 keys: fast to make),
 * so no key material is committed and nothing expires in the repository.
 */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlx-test-tls-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=mlx-model-manager test CA');
    openssl('req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(file('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext');
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not make test certificates with openssl: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`);
  }
  return {
    caPath: file('ca.pem'),
    ca: readFileSync(file('ca.pem')),
    key: readFileSync(file('server.key')),
    cert: readFileSync(file('server.pem')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
