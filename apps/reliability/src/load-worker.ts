// The closed load loop, evaluated in a worker thread of the app's process: `concurrency` workers each request `/a`
// as soon as their previous answer arrives, over keep-alive sockets. A worker thread has its own diagnostics
// channels, so the agent (started on the main thread) does not trace the load generator — only the app. Plain
// JavaScript in a string because a worker started with `eval` runs it as it is, without the TypeScript loader.
export const LOAD_WORKER_SOURCE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { port, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let stopped = false;
let requests = 0;
let errors = 0;
parentPort.on('message', () => { stopped = true; });
const report = setInterval(() => parentPort.postMessage({ requests, errors }), 100);
function once() {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/a', agent }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode === 200) requests += 1; else errors += 1;
        resolve();
      });
    });
    request.on('error', () => { errors += 1; resolve(); });
  });
}
async function worker() {
  while (!stopped) await once();
}
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  clearInterval(report);
  parentPort.postMessage({ requests, errors });
  agent.destroy();
  parentPort.close();
});
`;
