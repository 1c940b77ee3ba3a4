// `pnpm dev` in apps/demo (and, through turbo, at the root). Prints where everything is, then runs until Ctrl-C.
// A problem the user can fix (a port in use, a bad flag) is one line on stderr and exit code 1.
/* eslint-disable no-console -- this is the demo's command line: the terminal is its user interface */
import { resolveOptions, usage, UsageError } from './config.js';
import { startDemo } from './demo.js';
import { DemoError } from './listen.js';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(usage());
  process.exit(0);
}

try {
  const options = resolveOptions(args, process.env);
  const demo = await startDemo(options, {
    onServiceLine: (service, line) => console.error(`[${service}] ${line}`),
    onNotice: (message) => console.log(`windsock demo: ${message}`),
  });
  const backend = demo.backend.view();
  console.log(
    [
      '',
      `  windsock demo   dashboard  ${demo.url}`,
      backend.embedded
        ? `                  collector  ${backend.address} (gRPC), control API ${backend.controlUrl}`
        : `                  backend    ${backend.address} (external: fault buttons are off)`,
      `                  load       ${options.rate} req/s into ${demo.services.frontendUrl}/checkout`,
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    console.log('windsock demo: stopping');
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  if (error instanceof DemoError || error instanceof UsageError) {
    console.error(`windsock demo: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
