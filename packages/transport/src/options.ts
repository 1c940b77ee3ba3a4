import { type ChannelOptions } from '@grpc/grpc-js';
import { isHostPort, type OptionChecks } from '@windsock/options';

/** The kinds of call the transport makes; each has its own deadline. */
export type CallKind =
  'segments' | 'logs' | 'meters' | 'events' | 'keepAlive' | 'instanceProperties' | 'configurations';

/** HTTP/2 keepalive pings. Off by default: a stock OAP answers frequent pings with GOAWAY (too_many_pings). */
export interface KeepaliveOptions {
  /** Interval between pings, in ms. */
  timeMs: number;
  /** How long to wait for a ping's answer before dropping the connection, in ms. Default 20 000. */
  timeoutMs?: number;
  /** Ping also while no call is active. Default false. */
  permitWithoutCalls?: boolean;
}

export interface TransportOptions {
  /** OAP gRPC addresses: `'oap:11800'`, `'a:11800,b:11800'` or an array of `host:port`. */
  backends: string | readonly string[];
  /** Use TLS. Implied by `caPath`, `certPath` and `keyPath`. Default false. */
  secure?: boolean;
  /** PEM CA bundle to trust instead of the system roots. */
  caPath?: string;
  /** PEM client certificate for mTLS (needs `keyPath`). */
  certPath?: string;
  /** PEM private key of `certPath`. */
  keyPath?: string;
  /** Sent as `authentication` metadata on every call (OAP's `authentication` setting). */
  authentication?: string;
  /** Sent as `agent-version` metadata on every call. */
  agentVersion?: string;
  /** Deadline per call kind, in ms. */
  deadlines?: Partial<Record<CallKind, number>>;
  /** HTTP/2 keepalive pings; none by default. */
  keepalive?: KeepaliveOptions;
  /**
   * Segments go as a `collect` stream (`'stream'`, the default: written in one burst like logs, cheaper per segment
   * than `collectInSync` in `pnpm bench` (figures in BENCHMARKS.md), and what SkyWalking's own agents use) or as one
   * `collectInSync` call through grpc-js (`'unary'`).
   */
  segmentsCall?: 'unary' | 'stream';
  /**
   * How client-streaming calls (logs, meters, events, and segments with `segmentsCall: 'stream'`) are written.
   * `'burst'` (the default): every message of a batch framed into one write on the backend's own `node:http2`
   * connection (a second connection per backend, next to the grpc-js channel), so a batch costs one event-loop
   * turn; grpc-js writes one message per turn, which caps a busy application's logs at about a thousand lines per
   * second. `'grpc-js'`: grpc-js's client stream. HTTP/2 keepalive pings apply to the grpc-js channel only.
   */
  clientStreams?: 'burst' | 'grpc-js';
  /**
   * The longest wait between reconnection attempts to a backend that is down, in ms; default
   * `DEFAULT_RECONNECT_DELAY_MS`. Keep it at or below the breaker's shortest probe delay.
   */
  reconnectDelayMs?: number;
  /** Extra grpc-js channel options; they override the transport's own. */
  channelOptions?: ChannelOptions;
}

/**
 * Defaults, in ms. Data calls end well before the report policy's own 10 s attempt timeout and keepAlive before its
 * 3 s probe timeout, so a slow backend is reported by the transport, with its precise classification, rather than
 * by the policy's timer.
 */
export const DEFAULT_DEADLINES: Readonly<Record<CallKind, number>> = {
  segments: 5_000,
  logs: 5_000,
  meters: 5_000,
  events: 5_000,
  keepAlive: 2_500,
  instanceProperties: 5_000,
  configurations: 5_000,
};

/**
 * grpc-js waits up to 120 s between reconnection attempts by default, and a call made while the channel waits fails
 * at once. The channel therefore retries (one connection attempt, no data) at least this often, so that a backend
 * that came back is connected by the time the breaker's probe runs.
 */
export const DEFAULT_RECONNECT_DELAY_MS = 1_000;

/** Splits and de-duplicates the backend list; each bad entry is a problem. */
export function parseBackends(backends: string | readonly string[], check: OptionChecks): string[] {
  const list = (
    typeof backends === 'string'
      ? backends.split(',')
      : Array.isArray(backends)
        ? [...(backends as readonly unknown[])]
        : []
  ).map((entry: unknown) => (typeof entry === 'string' ? entry.trim() : entry));
  const addresses = list.filter((entry) => entry !== '');
  if (addresses.length === 0) {
    check.add('backends', backends, 'at least one "host:port" (no backend address given)');
  }
  const valid: string[] = [];
  for (const address of addresses) {
    if (typeof address === 'string' && isHostPort(address)) valid.push(address);
    else check.add('backends', address, HOST_PORT);
  }
  return [...new Set(valid)];
}

const HOST_PORT = '"host:port", e.g. "oap:11800"';

/** How the transport's OptionsErrors begin. */
export const INVALID_TRANSPORT_OPTIONS = 'windsock transport: invalid options';

export function resolveDeadlines(
  deadlines: Partial<Record<CallKind, number>> | undefined,
  check: OptionChecks,
): Record<CallKind, number> {
  const resolved = { ...DEFAULT_DEADLINES };
  for (const [kind, ms] of Object.entries(deadlines ?? {})) {
    const name = `deadlines.${kind}`;
    if (!(kind in DEFAULT_DEADLINES)) {
      const kinds = Object.keys(DEFAULT_DEADLINES).join(', ');
      check.add(name, ms, `a call kind (${kinds})`);
    } else if (ms !== undefined) {
      if (check.delayMs(name, ms)) resolved[kind as CallKind] = ms;
    }
  }
  return resolved;
}

/** The channel options every backend channel gets. */
export function channelOptionsFor(options: TransportOptions, check: OptionChecks): ChannelOptions {
  const reconnectMs = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY_MS;
  check.delayMs('reconnectDelayMs', reconnectMs);
  const base: ChannelOptions = {
    'grpc.initial_reconnect_backoff_ms': reconnectMs,
    'grpc.max_reconnect_backoff_ms': reconnectMs,
    // No DNS TXT lookups for service configs: one resolver query per connect is enough.
    'grpc.service_config_disable_resolution': 1,
    'grpc.primary_user_agent': `windsock/${options.agentVersion ?? 'unknown'}`,
  };
  const { keepalive } = options;
  if (keepalive !== undefined) {
    check.delayMs('keepalive.timeMs', keepalive.timeMs);
    base['grpc.keepalive_time_ms'] = keepalive.timeMs;
    base['grpc.keepalive_timeout_ms'] = keepalive.timeoutMs ?? 20_000;
    base['grpc.keepalive_permit_without_calls'] = keepalive.permitWithoutCalls === true ? 1 : 0;
  }
  return { ...base, ...options.channelOptions };
}
