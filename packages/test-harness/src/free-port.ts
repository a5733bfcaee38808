import { createServer } from 'node:net';

/**
 * Finds a TCP port on 127.0.0.1 that is free right now.
 *
 * The port is only reserved while this function runs: another process can take it before the
 * caller binds it, so callers that start servers should retry with a new port on EADDRINUSE.
 *
 * @returns a port number (1-65535) chosen by the kernel.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: listener has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
