// The agent's own version, sent as `agent-version` metadata and shown among the instance properties.
declare const __WINDSOCK_VERSION__: string | undefined;

/** Replaced at build time with the package version; `dev` when running from source (tests). */
export const AGENT_VERSION: string =
  typeof __WINDSOCK_VERSION__ === 'string' ? __WINDSOCK_VERSION__ : '0.0.0-dev';
