import net from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 right now (the OS picks it). There is a small window before
 * the runner binds it in which another process could take it; the supervisor then sees the runner
 * exit with "Address already in use" and its restart picks a new port.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('The OS gave no port'))));
    });
  });
}
