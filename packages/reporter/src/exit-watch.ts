// Every timer the agent owns is unref'd, so while the backend is down nothing of the agent keeps Node's event loop
// alive. A flush() or shutdown() the application awaits would then never settle: Node would exit in the middle of
// the await (exit code 13 for a top-level await in an ES module, silently in CommonJS) and the code after it would
// never run. 'beforeExit' is emitted exactly when nothing else keeps the process alive, so it settles the calls
// pending then, at once, with what they have. The agent still never keeps a process alive.
//
// Two kinds of call start *during* that emission, after the listener ran, and Node would exit without emitting
// again: the continuation of a call it just settled (`await agent.flush(); await agent.shutdown();`), and a call from
// the application's own 'beforeExit' handler. The first kind settles at once; the second gets one ref'd loop turn,
// so that Node emits 'beforeExit' once more and the watch settles it then. Neither can loop: a second emission
// settles everything, and what is called from it settles at once.

/** Gives each call it runs its own signal, aborted when the process is about to exit while the call is pending. */
export class ExitWatch {
  private readonly pending = new Set<AbortController>();
  /** Inside a 'beforeExit' emission (until the next loop turn, if there is one)... */
  private inEmission = false;
  /** ...that settled pending calls: calls made from it settle at once. */
  private settledInEmission = false;
  private readonly onBeforeExit = (): void => {
    this.inEmission = true;
    this.settledInEmission = this.pending.size > 0;
    for (const controller of this.pending) controller.abort();
    this.pending.clear();
    // Runs only if something keeps the process alive after this emission: then it is not exiting after all.
    setImmediate(() => {
      this.inEmission = false;
      this.settledInEmission = false;
    }).unref();
  };

  constructor() {
    // Prepended, so that it runs before the application's own 'beforeExit' handlers; removed by dispose().
    process.prependListener('beforeExit', this.onBeforeExit);
  }

  async during<T>(work: (exiting: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (this.settledInEmission) {
      controller.abort();
    } else {
      this.pending.add(controller);
      // Called from a handler of an emission that settled nothing: one ref'd turn, so that Node emits again.
      if (this.inEmission) setImmediate(() => {});
    }
    try {
      return await work(controller.signal);
    } finally {
      this.pending.delete(controller);
    }
  }

  dispose(): void {
    process.removeListener('beforeExit', this.onBeforeExit);
  }
}

/**
 * Resolves when `signal` aborts; `release()` stops listening (call it when the promise lost a race, so that no
 * listener is left on a signal that lives on).
 */
export function whenAborted(signal: AbortSignal): { promise: Promise<void>; release: () => void } {
  if (signal.aborted) return { promise: Promise.resolve(), release: () => {} };
  let release = (): void => {};
  const promise = new Promise<void>((resolve) => {
    const onAbort = (): void => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    release = () => signal.removeEventListener('abort', onAbort);
  });
  return { promise, release };
}
