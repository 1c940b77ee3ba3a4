import { createServer, type Server, type Socket } from 'node:net';
import { type ListenerMode } from './fault.js';

interface Connection {
  socket: Socket;
  /** The calls in progress on this connection, told when it closes. */
  closeListeners: Set<() => void>;
}

/**
 * The collector's TCP front door. The gate owns the listening socket and decides what happens to each connection:
 * in `up` mode it hands the socket to the gRPC server (`accept`), in `blackhole` mode it holds the socket without
 * ever reading or answering, and in `refuse` mode it does not listen at all. Owning the socket, rather than letting
 * grpc-js bind the port, is what lets the collector drop a single connection mid-stream and switch modes on the
 * same port number.
 */
export class PortGate {
  private server: Server | undefined;
  private current: ListenerMode = 'refuse';
  private boundPort: number;
  private readonly connections = new Map<string, Connection>();
  private readonly held = new Set<Socket>();
  private transition: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly host: string,
    port: number,
    private readonly accept: (socket: Socket) => void,
    /** Called whenever the mode or the set of connections changes, so waits on `status()` wake up. */
    private readonly onChange: () => void = () => {},
  ) {
    this.boundPort = port;
  }

  /** The port number, fixed after the first `up` even while refusing. */
  get port(): number {
    return this.boundPort;
  }

  get mode(): ListenerMode {
    return this.current;
  }

  /** Connections handed to the gRPC server and still open. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** Connections held open and unanswered by `blackhole`. */
  get heldConnections(): number {
    return this.held.size;
  }

  /**
   * Switches mode; calls are serialised so a flapping timer and an API call cannot interleave. Leaving `up` drops
   * every open connection: a backend that went away or hung does not keep serving old connections.
   */
  setMode(mode: ListenerMode): Promise<void> {
    const next = this.transition.then(() => this.apply(mode));
    // The chain must survive a failed transition (e.g. the port was taken meanwhile) for later calls.
    this.transition = next.catch(() => {});
    return next;
  }

  /** Destroys the connection whose remote end is `peer` (as grpc-js reports it: `address:port`). */
  dropConnection(peer: string): boolean {
    const connection = this.connections.get(peer);
    if (connection === undefined) return false;
    this.connections.delete(peer);
    connection.socket.destroy();
    this.onChange();
    return true;
  }

  /** Whether the gRPC connection from `peer` is still open (false from the moment the gate drops it). */
  isConnected(peer: string): boolean {
    return this.connections.has(peer);
  }

  /**
   * Calls `listener` once the connection from `peer` closes (at once if it already has); returns the function that
   * unsubscribes. grpc-js does not always tell a server call that its connection died, the socket always does.
   */
  onDisconnect(peer: string, listener: () => void): () => void {
    const connection = this.connections.get(peer);
    if (connection === undefined || connection.socket.destroyed) {
      queueMicrotask(listener);
      return () => {};
    }
    // One 'close' listener per socket fans out to the calls: many concurrent calls on one connection must not
    // pile up socket listeners.
    connection.closeListeners.add(listener);
    return () => connection.closeListeners.delete(listener);
  }

  /** Stops listening and drops every connection, for good. */
  async close(): Promise<void> {
    this.closed = true;
    await this.setMode('refuse');
  }

  private async apply(mode: ListenerMode): Promise<void> {
    if (this.closed && mode !== 'refuse') throw new Error('the collector is stopped');
    if (mode === this.current) return;
    this.dropAll();
    // Set first: a connection accepted while listen() settles must already get the new mode's treatment.
    this.current = mode;
    try {
      if (mode === 'refuse') await this.stopListening();
      else if (this.server === undefined) await this.listen();
    } catch (error) {
      this.current = 'refuse';
      throw error;
    } finally {
      this.onChange();
    }
  }

  private dropAll(): void {
    for (const connection of this.connections.values()) connection.socket.destroy();
    for (const socket of this.held) socket.destroy();
    // Forget them now rather than on their async 'close', so the counts are right as soon as the switch is.
    this.connections.clear();
    this.held.clear();
  }

  private listen(): Promise<void> {
    const server = createServer((socket) => this.onConnection(socket));
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.host, port: this.boundPort }, () => {
        server.off('error', reject);
        // A listening error after start-up (rare: EMFILE on accept) must not crash the host process.
        server.on('error', () => {});
        const address = server.address();
        if (address !== null && typeof address === 'object') this.boundPort = address.port;
        this.server = server;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    // A peer resetting its side is routine here (that is what fault tests do); never let it throw.
    socket.on('error', () => {});
    if (this.current === 'blackhole') {
      this.held.add(socket);
      socket.once('close', () => {
        this.held.delete(socket);
        this.onChange();
      });
      this.onChange();
      return;
    }
    const peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    const connection: Connection = { socket, closeListeners: new Set() };
    this.connections.set(peer, connection);
    socket.once('close', () => {
      if (this.connections.get(peer) === connection) this.connections.delete(peer);
      for (const listener of connection.closeListeners) listener();
      connection.closeListeners.clear();
      this.onChange();
    });
    this.accept(socket);
    this.onChange();
  }
}
