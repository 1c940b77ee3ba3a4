/** What the receiver does while a configuration runs: answer, refuse connections, or accept and never answer. */
export type BackendState = 'up' | 'refused' | 'blackhole';

export const BACKEND_STATES: readonly BackendState[] = ['up', 'refused', 'blackhole'];

export function isBackendState(value: string): value is BackendState {
  return (BACKEND_STATES as readonly string[]).includes(value);
}
