import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { Agent, request } from 'undici';
import { networkFailureKind } from '../../../../src/core/http/networkFailure';

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

/** The error a real request gets from a loopback server that behaves as `serve` says. */
async function realError(serve: (socket: Socket) => void): Promise<unknown> {
  const server = createServer(serve);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dispatcher = new Agent();
  try {
    const response = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { dispatcher });
    await response.body.text();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await dispatcher.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('networkFailureKind', () => {
  it('sorts error codes, also when wrapped as fetch wraps them', () => {
    assert.equal(networkFailureKind(withCode('ECONNREFUSED')), 'unreachable');
    assert.equal(networkFailureKind(withCode('ENOTFOUND')), 'unreachable');
    assert.equal(networkFailureKind(withCode('UND_ERR_CONNECT_TIMEOUT')), 'unreachable');
    assert.equal(networkFailureKind(withCode('ECONNRESET')), 'dropped');
    assert.equal(networkFailureKind(withCode('UND_ERR_SOCKET', 'other side closed')), 'dropped');
    assert.equal(networkFailureKind(new TypeError('fetch failed', { cause: withCode('ECONNRESET') })), 'dropped');
    assert.equal(networkFailureKind(withCode('CERT_HAS_EXPIRED')), 'other');
    assert.equal(networkFailureKind(new Error('response body larger than 32 MB')), 'other');
    assert.equal(networkFailureKind(undefined), 'other');
  });

  it('knows what undici really throws for a server that closes the connection or a truncated body', async () => {
    assert.equal(networkFailureKind(await realError((socket) => socket.once('data', () => socket.destroy()))), 'dropped');
    const truncatedChunked = await realError((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n')),
    );
    assert.equal(networkFailureKind(truncatedChunked), 'dropped');
    const shortLength = await realError((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello')));
    assert.equal(networkFailureKind(shortLength), 'dropped');
  });
});
