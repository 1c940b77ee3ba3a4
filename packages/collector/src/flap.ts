import { type ListenerMode } from './fault.js';

/**
 * Alternates the listener between `refuse` and `up` every `periodMs`, starting with `refuse`: a backend that keeps
 * going away and coming back. Returns the function that stops flapping (it leaves the mode where it is).
 * The timer is unref'd so a flapping collector never keeps a process alive on its own.
 */
export function startFlapping(
  setMode: (mode: ListenerMode) => Promise<void>,
  periodMs: number,
  onError: (error: unknown) => void,
): () => void {
  let next: ListenerMode = 'refuse';
  const flip = (): void => {
    const mode = next;
    next = mode === 'refuse' ? 'up' : 'refuse';
    setMode(mode).catch(onError);
  };
  flip();
  const timer = setInterval(flip, periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
