// grpc-js keeps a channel's target as `scheme:[//authority/]path` with the scheme filled in (`dns:localhost:50051`,
// `ipv4:127.0.0.1:50051`, `unix:/run/app.sock`); OAP wants the address the app dialled, as `host:port`.
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const AUTHORITY = /^\/\/[^/]*\//;
// gRPC's default port when a DNS target names none (grpc/doc/naming.md).
const DEFAULT_PORT = '443';

/** The peer of a call on a channel whose target is `target`. */
export function peerOfTarget(target: string): string {
  const scheme = SCHEME.exec(target)?.[0] ?? '';
  const path = target.slice(scheme.length).replace(AUTHORITY, '');
  if (scheme.toLowerCase() !== 'dns:' || hasPort(path)) return path;
  return `${path}:${DEFAULT_PORT}`;
}

function hasPort(hostPort: string): boolean {
  // `[::1]:50051` has one; `[::1]` and a bare IPv6 address (several colons, no brackets) have none.
  if (hostPort.startsWith('[')) return /\]:\d+$/.test(hostPort);
  const colon = hostPort.indexOf(':');
  return colon !== -1 && colon === hostPort.lastIndexOf(':');
}
