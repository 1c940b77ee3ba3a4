import {
  type ChannelCredentials,
  type ChannelOptions,
  Client,
  connectivityState,
} from '@grpc/grpc-js';
import { BurstSession } from './burst-session.js';
import { type ActiveCall } from './call.js';
import { type TlsFiles } from './credentials.js';
import { type TransportResult } from './results.js';
import { status } from '@grpc/grpc-js';

/**
 * A backend's health as the transport sees it:
 * - `unknown`: not used yet (its channel connects on first use);
 * - `healthy`: its last call succeeded or its channel is connected;
 * - `unhealthy`: its last call failed for lack of a working connection, or its channel is in transient failure.
 */
export type BackendHealth = 'unknown' | 'healthy' | 'unhealthy';

export interface BackendState {
  address: string;
  health: BackendHealth;
  /** The grpc-js channel state: IDLE, CONNECTING, READY, TRANSIENT_FAILURE or SHUTDOWN. */
  connectivity: keyof typeof connectivityState;
  /** Calls in flight. */
  activeCalls: number;
  /** The latest failure's message, kept until the backend is healthy again. */
  lastError?: string;
}

export type HealthListener = (
  address: string,
  health: BackendHealth,
  previous: BackendHealth,
) => void;

/** Status codes that say the connection, not the request, is the problem: the backend is unhealthy. */
const CONNECTION_TROUBLE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/** One OAP address: its own grpc-js channel, its health, and the calls in flight on it. */
export class Backend {
  readonly client: Client;
  /** The HTTP/2 connection of client-streaming calls written in one burst (logs, meters, events). */
  readonly burst: BurstSession;
  private current: BackendHealth = 'unknown';
  private lastError: string | undefined;
  private readonly active = new Set<ActiveCall>();
  private closed = false;

  constructor(
    readonly address: string,
    credentials: ChannelCredentials,
    channelOptions: ChannelOptions,
    private readonly onHealth: HealthListener,
    burstTls: TlsFiles | undefined,
  ) {
    this.client = new Client(address, credentials, channelOptions);
    this.burst = new BurstSession(address, burstTls);
    this.watchChannel(connectivityState.IDLE);
  }

  get health(): BackendHealth {
    return this.current;
  }

  state(): BackendState {
    const connectivity = this.closed
      ? connectivityState.SHUTDOWN
      : this.client.getChannel().getConnectivityState(false);
    return {
      address: this.address,
      health: this.current,
      connectivity: connectivityState[connectivity] as keyof typeof connectivityState,
      activeCalls: this.active.size,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Registers a call in flight; returns the function that forgets it. */
  track = (call: ActiveCall): (() => void) => {
    this.active.add(call);
    return () => this.active.delete(call);
  };

  /** Updates health from a call's result. A cancellation by the caller says nothing about the backend. */
  observe(result: TransportResult, cancelledByCaller: boolean): void {
    if (result.ok) {
      this.lastError = undefined;
      this.setHealth('healthy');
    } else if (!cancelledByCaller && CONNECTION_TROUBLE.has(result.code)) {
      this.lastError = result.message;
      this.setHealth('unhealthy');
      this.reconnect();
    }
  }

  /** Cancels every call in flight and releases the channel. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const call of [...this.active]) call.cancel();
    this.active.clear();
    this.client.close();
    this.burst.close();
  }

  private setHealth(next: BackendHealth): void {
    const previous = this.current;
    if (previous === next || this.closed) return;
    this.current = next;
    this.onHealth(this.address, next, previous);
  }

  /** Asks an idle channel to connect, so a backend that comes back is noticed without waiting for a call. */
  private reconnect(): void {
    if (!this.closed) this.client.getChannel().getConnectivityState(true);
  }

  /**
   * Follows the channel's state for as long as it lives: READY marks the backend healthy (that is how a backend
   * that came back is noticed), TRANSIENT_FAILURE unhealthy. An unhealthy backend's idle channel is told to connect
   * again; grpc-js then retries with the reconnect backoff (1 s → 10 s). The watch has no deadline, so no timer.
   */
  private watchChannel(from: connectivityState): void {
    if (this.closed) return;
    const channel = this.client.getChannel();
    channel.watchConnectivityState(from, Infinity, () => {
      if (this.closed) return;
      const now = channel.getConnectivityState(false);
      if (now === connectivityState.SHUTDOWN) return;
      if (now === connectivityState.READY) this.setHealth('healthy');
      else if (now === connectivityState.TRANSIENT_FAILURE) this.setHealth('unhealthy');
      else if (now === connectivityState.IDLE && this.current === 'unhealthy') this.reconnect();
      this.watchChannel(now);
    });
  }
}
