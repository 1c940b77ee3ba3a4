// Run as a child process by close.test.ts: sends a heartbeat (grpc-js channel) and a log batch (burst connection)
// to the parent's collector, then does nothing more and never calls close(): the process must still exit.
import { createTransport } from '../../src/index.js';
import { logFrame, ping } from '../fixtures.js';

const transport = createTransport({ backends: process.env.BACKEND ?? '' });
const results = [await transport.keepAlive(ping), await transport.sendLogs([logFrame('idle')])];
process.stdout.write(`${JSON.stringify(results.map((r) => (r.ok ? 'ok' : r.message)))}\n`);
