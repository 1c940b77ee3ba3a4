import { start, type Agent } from './agent.js';
import { ConfigError } from './config.js';

/** Starts the agent from the environment; never throws. Returns undefined when the agent could not start. */
export function startFromEnvironment(): Agent | undefined {
  try {
    return start();
  } catch (error) {
    const message =
      error instanceof ConfigError
        ? error.message
        : `windsock: the agent did not start: ${String(error)}`;
    process.stderr.write(
      `${message}\nwindsock: the agent is off; the application runs without it.\n`,
    );
    return undefined;
  }
}
