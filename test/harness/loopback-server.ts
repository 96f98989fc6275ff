/**
 * An HTTP server on loopback that can be killed (every open connection cut, new ones refused, as
 * when a service dies) and revived on the same port with its state, for the fake backends.
 */
import { createServer, type RequestListener } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface LoopbackServer {
  port: number;
  url: string;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: RequestListener, port = 0, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const bound = (server.address() as AddressInfo).port;
  const kill = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return {
    port: bound,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${bound}`,
    kill,
    revive: () => new Promise<void>((r) => server.listen(bound, '127.0.0.1', r)),
    close: () => (server.listening ? kill() : Promise.resolve()),
  };
}
