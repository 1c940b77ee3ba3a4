// `node --import windsock/register app.mjs` or `node -r windsock/register app.js`: starts the agent from `SW_*`
// environment variables before the application loads. Bad configuration is printed once to stderr and the agent
// stays off; the application itself always runs.
import { startFromEnvironment } from './start-from-environment.js';

startFromEnvironment();
