// Entry point `@windsock/core/console`: opt-in capture of the application's console output.
export { captureConsole, consoleInstrumentation } from './logs/console.js';
