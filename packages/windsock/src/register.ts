// `node --import windsock/register app.mjs` or `node -r windsock/register app.js`: starts the agent from `SW_*`
// environment variables before the application loads. Bad configuration is printed once to stderr and the agent
// stays off; the application itself always runs.
import { isMainThread } from 'node:worker_threads';
import { startFromEnvironment } from './start-from-environment.js';

// A `-r` preload also runs in every worker thread, including the one Node runs `module.register` loader hooks in
// (Node 20, and later versions without synchronous hooks): one agent per process, on the main thread.
if (isMainThread) startFromEnvironment();
