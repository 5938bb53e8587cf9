/** A TCP relay in front of a real server, for staging a server that hangs without touching the shared one. */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP relay to the real server that the test can silence, to stage a hung server without
 * touching the shared one. Silenced, it cuts every connection and accepts new ones without
 * answering, like a server that stopped responding.
 */
export async function relayTo(host: string, port: number) {
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const pairs = new Map<Socket, Socket>(); // client to upstream, while both are open
  let silent = false;
  const relay = createServer((client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    if (silent) return;
    const upstream = connect({ host, port });
    upstreams.add(upstream);
    pairs.set(client, upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      upstreams.delete(upstream);
      pairs.delete(client);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    for (const socket of [...clients, ...upstreams]) socket.destroy();
  };
  return {
    port: (relay.address() as AddressInfo).port,
    /** Local ports of the relay's connections to the server, to find them server-side. */
    upstreamPorts: () => [...upstreams].map((socket) => socket.localPort),
    silence() {
      silent = true;
      cut();
    },
    restore() {
      silent = false;
      cut();
    },
    /**
     * The open connections stop carrying data either way but stay open, as when the server behind
     * them vanished without a word (a host failing over); new connections reach the server again.
     */
    freezeOpenConnections() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        relay.close(() => resolve());
      }),
  };
}
