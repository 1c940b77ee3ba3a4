// The broker's address as `host:port`: the span's peer (OAP names the virtual MQ service after it) and `mq.broker`.
// The host comes from the URL the application connected with, so it stays the name the application uses (a DNS name
// survives the broker's address changing); the socket's remote address is the fallback.

const DEFAULT_PORT = 5672;
const DEFAULT_TLS_PORT = 5671;

/** The peer of each connection opened through `connect`, filled when the connection opens. */
const peers = new WeakMap<object, string>();

/** `host:port` for the `url` `amqplib`'s `connect` takes (a string, an object, or nothing for localhost). */
export function peerFromUrl(url: unknown): string | undefined {
  if (url === undefined || url === null || url === false || url === '') {
    return `localhost:${DEFAULT_PORT}`;
  }
  if (typeof url === 'object') {
    const { protocol, hostname, port } = url as {
      protocol?: unknown;
      hostname?: unknown;
      port?: unknown;
    };
    const tls = protocol === 'amqps';
    const host = typeof hostname === 'string' && hostname !== '' ? hostname : 'localhost';
    return `${bracketed(host)}:${portOr(port, tls)}`;
  }
  if (typeof url !== 'string') return undefined;
  // amqp: is not a special scheme for the WHATWG parser: it keeps the host as written and the port as given.
  const parsed = new URL(url);
  const tls = parsed.protocol === 'amqps:';
  const host = parsed.hostname === '' ? 'localhost' : parsed.hostname;
  return `${host}:${portOr(parsed.port, tls)}`;
}

function portOr(port: unknown, tls: boolean): string {
  const value = typeof port === 'number' ? port : parseInt(String(port), 10);
  return String(
    Number.isInteger(value) && value > 0 ? value : tls ? DEFAULT_TLS_PORT : DEFAULT_PORT,
  );
}

function bracketed(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function rememberPeer(connection: object, peer: string): void {
  peers.set(connection, peer);
}

/** The peer of a channel's connection: the URL's `host:port`, else the socket's remote address, else ''. */
export function peerOf(channel: unknown): string {
  const connection = (channel as { connection?: unknown } | null)?.connection;
  if (typeof connection !== 'object' || connection === null) return '';
  const known = peers.get(connection);
  if (known !== undefined) return known;
  const stream = (connection as { stream?: { remoteAddress?: unknown; remotePort?: unknown } })
    .stream;
  const address = stream?.remoteAddress;
  const port = stream?.remotePort;
  if (typeof address !== 'string' || typeof port !== 'number') return '';
  const peer = `${bracketed(address)}:${port}`;
  peers.set(connection, peer);
  return peer;
}
