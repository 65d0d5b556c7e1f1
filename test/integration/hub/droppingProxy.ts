import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP hop in front of the stand-in that accepts the first `drop` connections and closes them as soon
 * as a request arrives (an overloaded server or a proxy restarting), and passes later ones through.
 */
export async function droppingProxy(targetPort: number, drop: number): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (++connections <= drop) {
      socket.once('data', () => socket.destroy());
      return;
    }
    const upstream = createConnection(targetPort, '127.0.0.1');
    sockets.add(upstream);
    socket.pipe(upstream).pipe(socket);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
