// Every timer the agent owns is unref'd, so while the backend is down nothing of the agent keeps Node's event loop
// alive. A flush() or shutdown() the application awaits would then never settle: Node would exit in the middle of
// the await (exit code 13 for a top-level await in an ES module, silently in CommonJS) and the code after it would
// never run. 'beforeExit' is emitted exactly when nothing else keeps the process alive, so while such a call is
// pending it settles the call at once with what it has. The agent still never keeps a process alive.

/** Gives the calls it runs a signal that aborts when the process is about to exit while they are pending. */
export class ExitWatch {
  private pending = 0;
  private controller = new AbortController();
  private readonly onBeforeExit = (): void => {
    const aborting = this.controller;
    this.controller = new AbortController(); // calls made from here on get a fresh chance
    aborting.abort();
  };

  async during<T>(work: (exiting: AbortSignal) => Promise<T>): Promise<T> {
    if (this.pending++ === 0) process.on('beforeExit', this.onBeforeExit);
    try {
      return await work(this.controller.signal);
    } finally {
      if (--this.pending === 0) process.removeListener('beforeExit', this.onBeforeExit);
    }
  }
}

/** Resolves when `signal` aborts (never, if it does not). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
