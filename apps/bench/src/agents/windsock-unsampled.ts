import { type StartAgent } from './agent.js';
import { startWindsockWith } from './windsock.js';

/** windsock at sample rate 0 (`SW_AGENT_SAMPLE=0`): context and `sw8` carried, nothing recorded. */
export const start: StartAgent = startWindsockWith({ sampleRate: 0 });
