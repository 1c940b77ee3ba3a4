// The HTTP/2 connection that burst calls (see burst-call.ts) share on one backend: opened on first use, replaced
// when it closes or the server sends GOAWAY, referenced only while a call is in flight so an idle agent never keeps
// the process alive.
import http2, { type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import { type TlsFiles } from './credentials.js';
import { describeError } from './results.js';

/** Why no session could be had: nothing was sent, so the call may go elsewhere. */
export class SessionUnavailable extends Error {
  constructor(
    message: string,
    /** The deadline passed while connecting (DEADLINE_EXCEEDED), rather than the connection failing (UNAVAILABLE). */
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export class BurstSession {
  private session: ClientHttp2Session | undefined;
  /** Resolves once the server's SETTINGS arrived: only then is the connection known to speak HTTP/2. */
  private ready: Promise<ClientHttp2Session> | undefined;
  /** The session once its handshake is done: the common case costs no promise race and no timer. */
  private live: ClientHttp2Session | undefined;
  private active = 0;
  private closed = false;

  constructor(
    private readonly authority: string,
    private readonly tls: TlsFiles | undefined,
  ) {}

  /**
   * A session whose peer has answered the HTTP/2 handshake, within `timeoutMs`. Like grpc-js's READY: a server
   * that accepts TCP and never answers (a blackhole) is never written to, so failing over from it is safe.
   */
  async connected(timeoutMs: number, signal?: AbortSignal): Promise<ClientHttp2Session> {
    if (this.closed) throw new SessionUnavailable('the transport is closed', false);
    const live = this.live;
    if (live !== undefined && !live.destroyed && !live.closed) return live;
    this.ready ??= this.open();
    const ready = this.ready;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const bounded = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new SessionUnavailable('no HTTP/2 handshake from the backend in time', true));
        // A connection that has not answered by now is dropped, so the next call dials again.
        this.discard(ready);
      }, timeoutMs);
      timer.unref();
      onAbort = () => reject(new SessionUnavailable('aborted before the connection was up', false));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([ready, bounded]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Keeps the process alive from the start of a call (its connection phase included) until the returned function
   * is called: a call is bounded by its deadline, and an application awaiting `flush()` must not exit under it.
   * With no call, the connection is unreferenced.
   */
  hold(): () => void {
    if (this.active++ === 0) this.session?.ref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.active === 0) this.session?.unref();
    };
  }

  close(): void {
    this.closed = true;
    this.session?.destroy();
    this.session = undefined;
    this.ready = undefined;
    this.live = undefined;
  }

  private open(): Promise<ClientHttp2Session> {
    return new Promise<ClientHttp2Session>((resolve, reject) => {
      const options: SecureClientSessionOptions = { ...this.tls };
      let session: ClientHttp2Session;
      try {
        const scheme = this.tls === undefined ? 'http' : 'https';
        session = http2.connect(`${scheme}://${this.authority}`, options);
      } catch (error) {
        this.ready = undefined;
        reject(new SessionUnavailable(describeError(error), false));
        return;
      }
      this.session = session;
      if (this.active === 0) session.unref();
      const forget = (): void => {
        if (this.session === session) {
          this.session = undefined;
          this.ready = undefined;
          this.live = undefined;
        }
      };
      // An 'error' event without a listener would throw into the application: every one is handled here.
      session.on('error', (error) => {
        forget();
        reject(new SessionUnavailable(describeError(error), false));
      });
      session.on('goaway', forget);
      session.on('close', () => {
        forget();
        reject(new SessionUnavailable('the connection closed during the handshake', false));
      });
      // A TLS alert after the handshake (mTLS: the server wants a client certificate) destroys the session without
      // a session 'error' or 'close' event; only its socket says so.
      session.socket.once('close', () => {
        forget();
        reject(new SessionUnavailable('the connection closed during the handshake', false));
      });
      session.socket.once('error', (error) => {
        forget();
        reject(new SessionUnavailable(describeError(error), false));
      });
      session.once('remoteSettings', () => {
        if (this.session === session) this.live = session;
        resolve(session);
      });
    });
  }

  private discard(ready: Promise<ClientHttp2Session>): void {
    if (this.ready !== ready) return;
    this.session?.destroy();
    this.session = undefined;
    this.ready = undefined;
    this.live = undefined;
  }
}
