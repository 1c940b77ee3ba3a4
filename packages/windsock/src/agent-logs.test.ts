// The logger integrations through the facade: winston handed over or seen created, console capture, and what
// shutdown does to lines that cannot be delivered.
import { Writable } from 'node:stream';
import { fault, startCollector, type Collector } from '@windsock/collector';
import winston from 'winston';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { start, type Agent } from './index.js';

let collector: Collector | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.shutdown({ timeoutMs: 2_000 });
  agent = undefined;
  await collector?.stop();
  collector = undefined;
});

describe('logger integrations through the facade', () => {
  function winstonLogger(): { logger: winston.Logger; lines: string[] } {
    const lines: string[] = [];
    const logger = winston.createLogger({
      format: winston.format.json(),
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            objectMode: true,
            write(info: Record<symbol, string>, _encoding, done) {
              lines.push(info[Symbol.for('message')] ?? '');
              done();
            },
          }),
        }),
      ],
    });
    return { logger, lines };
  }

  it('reports a winston logger created before start() and handed over, correlated with the active span', async () => {
    collector = await startCollector({ port: 0 });
    const { logger, lines } = winstonLogger();
    agent = start({
      collector: collector.address,
      lingerMs: 10,
      meterReporterEnable: false,
      diagnostics: () => {},
    });
    agent.instrumentWinston(logger);
    const span = agent.tracer.startLocalSpan('ship');
    agent.tracer.withSpan(span, () => logger.info('shipped', { carrier: 'dhl' }));
    span.end();
    expect(await agent.flush({ timeoutMs: 5_000 })).toEqual({ done: true, remaining: 0 });

    const [log] = collector.logs();
    expect(log?.body?.text?.text).toBe('shipped');
    expect(log?.tags?.data).toEqual(
      expect.arrayContaining([
        { key: 'logger', value: 'winston' },
        { key: 'carrier', value: 'dhl' },
      ]),
    );
    expect(log?.traceContext?.traceId).toBe(span.traceId);
    expect(collector.segments()[0]?.traceId).toBe(span.traceId);
    // The application's own output carries the correlation fields too.
    expect(lines[0]).toContain(span.traceId);
  });

  it('reports a winston logger created after start() without the application handing it over', () => {
    agent = start({ collector: '127.0.0.1:1', diagnostics: () => {} });
    const { logger, lines } = winstonLogger();
    const span = agent.tracer.startLocalSpan('ship');
    agent.tracer.withSpan(span, () => logger.info('shipped'));
    span.end();
    expect(agent.status().pipelines.logs.produced).toBe(1);
    expect(lines[0]).toContain(span.traceId);
    // Handing it over as well changes nothing: still one report per line.
    agent.instrumentWinston(logger);
    logger.info('once more');
    expect(agent.status().pipelines.logs.produced).toBe(2);
  });

  it('instruments a logger handed over twice once, and a disposed logger is left as it was', async () => {
    collector = await startCollector({ port: 0 });
    const { logger } = winstonLogger();
    agent = start({ collector: collector.address, lingerMs: 10, diagnostics: () => {} });
    const format = logger.format;
    const hadOwnWrite = Object.prototype.hasOwnProperty.call(logger, 'write');
    const dispose = agent.instrumentWinston(logger);
    expect(agent.instrumentWinston(logger)).toBe(dispose);
    logger.info('once');
    expect(agent.status().pipelines.logs.produced).toBe(1);
    dispose();
    expect(logger.format).toBe(format);
    expect(Object.prototype.hasOwnProperty.call(logger, 'write')).toBe(hadOwnWrite);
    logger.info('not reported');
    expect(agent.status().pipelines.logs.produced).toBe(1);
    // Handed over again after dispose: instrumented again, and undone at shutdown.
    agent.instrumentWinston(logger);
    await agent.shutdown({ timeoutMs: 2_000 });
    expect(logger.format).toBe(format);
  });

  it("does not report grpc-js's own console lines when the console is captured (no feedback loop)", async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    // A proxy that refuses: grpc-js writes "E Failed to connect to proxy ..." with console.error, from its own
    // socket callbacks, at every connection attempt of the agent's management calls.
    process.env.grpc_proxy = 'http://127.0.0.1:1';
    try {
      agent = start({ collector: '127.0.0.1:2', captureConsole: true, diagnostics: () => {} });
      await vi.waitFor(() => expect(printed.some((line) => /proxy/i.test(line))).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      expect(agent.status().pipelines.logs.produced).toBe(0);
      console.error('an application line'); // the application's own lines are still reported
      expect(agent.status().pipelines.logs.produced).toBe(1);
    } finally {
      delete process.env.grpc_proxy;
      await agent?.shutdown({ timeoutMs: 100 });
      spy.mockRestore();
    }
  });

  it('shutdown() does not wait for a flush that cannot be delivered before its deadline', async () => {
    collector = await startCollector({ port: 0 });
    await collector.setFault(fault.refuse());
    agent = start({
      collector: collector.address,
      breakerThreshold: 1,
      retryMaxAttempts: 0,
      probeMinDelayMs: 3_600_000,
      probeMaxDelayMs: 3_600_000,
      lingerMs: 10,
      diagnostics: () => {},
    });
    agent.logger.info('queued during the outage');
    await vi.waitFor(() => expect(agent!.status().backends[0]!.breaker === 'open').toBe(true), {
      timeout: 5_000,
      interval: 20,
    });
    // The next probe is an hour away, after the 10-minute deadline: nothing can be sent in time, so shutdown returns
    // without waiting for it (waiting would fail this test on its 60 s timeout).
    await agent.shutdown({ timeoutMs: 600_000 });
    const logs = agent.status().pipelines.logs;
    expect(logs).toMatchObject({ produced: 1, delivered: 0, queued: 0, inFlight: 0 });
    expect(logs.dropped.shutdown).toBe(1);
  });

  it('leaves winston alone when it is in disablePlugins', () => {
    agent = start({ collector: '127.0.0.1:1', disablePlugins: 'winston', diagnostics: () => {} });
    const { logger, lines } = winstonLogger();
    agent.instrumentWinston(logger);
    logger.info('not reported');
    expect(agent.status().pipelines.logs.produced).toBe(0);
    expect(lines).toEqual(['{"level":"info","message":"not reported"}']);
  });

  it('reports console output with captureConsole, restores console at shutdown, and not with console disabled', async () => {
    const original = console.info;
    agent = start({ collector: '127.0.0.1:1', captureConsole: true, diagnostics: () => {} });
    expect(console.info).not.toBe(original);
    console.info('%d parcels', 3);
    expect(agent.status().pipelines.logs.produced).toBe(1);
    await agent.shutdown({ timeoutMs: 100 });
    expect(console.info).toBe(original);

    agent = start({
      collector: '127.0.0.1:1',
      captureConsole: true,
      disablePlugins: ['console'],
      diagnostics: () => {},
    });
    expect(console.info).toBe(original);
  });
});
