#!/usr/bin/env node
// windsock-collector: a SkyWalking v3 collector for development, with a JSON control API to switch faults.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCollector, type CollectorOptions } from './collector.js';
import { startControlServer } from './control.js';

const usage = `Usage: windsock-collector [options]

  --host <host>             gRPC interface (default 127.0.0.1)
  --port <port>             gRPC port (default 11800; 0 picks a free one)
  --control-host <host>     control API interface (default 127.0.0.1)
  --control-port <port>     control API port (default 12800; 0 picks a free one)
  --token <token>           require this 'authentication' metadata
  --tls-cert <file>         serve TLS with this certificate (PEM) ...
  --tls-key <file>          ... and this key (PEM)
  --tls-client-ca <file>    require client certificates signed by this CA (mTLS)
  --retain <n>              items of each kind to keep (default 10000)
  --help                    show this help
`;

function fail(message: string): never {
  process.stderr.write(`windsock-collector: ${message}\n\n${usage}`);
  process.exit(2);
}

function portOption(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--${name} must be a port number`);
  return port;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'control-host': { type: 'string' },
        'control-port': { type: 'string' },
        token: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-client-ca': { type: 'string' },
        retain: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return;
  }

  const options: CollectorOptions = {
    host: values.host ?? '127.0.0.1',
    port: portOption(values.port, 11800, 'port'),
  };
  if (values.token !== undefined) options.token = values.token;
  if (values.retain !== undefined) {
    const retain = Number(values.retain);
    if (!Number.isInteger(retain) || retain < 0) fail('--retain must be a non-negative integer');
    options.retain = retain;
  }
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) fail('--tls-cert and --tls-key go together');
  if (cert !== undefined && key !== undefined) {
    const clientCa = values['tls-client-ca'];
    options.tls = {
      cert: readFileSync(cert),
      key: readFileSync(key),
      ...(clientCa === undefined ? {} : { clientCa: readFileSync(clientCa) }),
    };
  } else if (values['tls-client-ca'] !== undefined) {
    fail('--tls-client-ca needs --tls-cert and --tls-key');
  }

  const collector = await startCollector(options);
  const control = await startControlServer(collector, {
    host: values['control-host'] ?? '127.0.0.1',
    port: portOption(values['control-port'], 12800, 'control-port'),
  });
  process.stdout.write(
    `windsock-collector: gRPC on ${collector.address}${options.tls ? ' (TLS)' : ''}, control API on ${control.url}\n`,
  );

  const shutdown = (): void => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
    Promise.all([control.stop(), collector.stop()]).then(
      () => process.stdout.write('windsock-collector: stopped\n'),
      (error: unknown) => {
        process.stderr.write(`windsock-collector: ${String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `windsock-collector: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
