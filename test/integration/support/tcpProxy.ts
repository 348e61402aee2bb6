import * as net from 'node:net';

/**
 * A loopback TCP proxy in front of the apiserver, so a test can make the server unreachable (`cut`) and
 * reachable again (`restore`) on the same address without touching the server itself.
 */
export interface TcpProxy {
  readonly port: number;
  /** Refuses new connections and breaks the open ones. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, listening = true): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const make = (): net.Server =>
    net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  // Reserve a port, then listen there (or leave it closed, for a server that is down from the start).
  const probe = make();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  let server: net.Server | undefined = probe;
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  if (!listening) await stop();
  return {
    port,
    cut: stop,
    restore: async () => {
      if (server) return;
      const s = make();
      await new Promise<void>((r, j) => s.once('error', j).listen(port, '127.0.0.1', () => r()));
      server = s;
    },
    close: stop,
  };
}
