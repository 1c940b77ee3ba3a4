/**
 * Shuts the agent down on SIGTERM and SIGINT, then keeps the default meaning of the signal when nobody else listens:
 * the process ends. Returns the function that removes the handlers.
 */
export function shutdownOnSignals(shutdown: () => Promise<void>): () => void {
  const removers = (['SIGTERM', 'SIGINT'] as const).map((signal) => {
    const handler = (): void => {
      void shutdown().then(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, handler);
    return () => process.removeListener(signal, handler);
  });
  return () => {
    for (const remove of removers) remove();
  };
}
