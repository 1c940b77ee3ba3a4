export {
  freePort,
  startProcess,
  tempDir,
  waitForPort,
  which,
  type ServerProcess,
} from './process.js';
