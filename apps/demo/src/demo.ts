// Wires the demo together: a backend (embedded collector or external), the two services, the load generator,
// the sampler and the dashboard. `startDemo` is what `pnpm dev` and the browser test both run.
import { externalBackend, startEmbeddedBackend, type Backend } from './backend.js';
import type { DemoOptions } from './config.js';
import { startDashboard, type DashboardServer } from './dashboard.js';
import { LoadGenerator } from './load.js';
import { History, type DemoSample, type DemoTables } from './samples.js';
import { Services } from './supervisor.js';
import { agentDistFolders, watchFolders } from './watch.js';
import type { ServiceName } from './messages.js';

const HISTORY_SAMPLES = 300;
const TRACE_ROWS = 15;

export interface Demo {
  readonly url: string;
  readonly backend: Backend;
  readonly services: Services;
  readonly load: LoadGenerator;
  readonly history: History<DemoSample>;
  stop(): Promise<void>;
}

export interface DemoHooks {
  /** A line a service wrote to stderr (the agent's diagnostics). */
  onServiceLine?: (service: ServiceName, line: string) => void;
  /** Something the demo did on its own (a restart after a rebuild). */
  onNotice?: (message: string) => void;
}

export async function startDemo(options: DemoOptions, hooks: DemoHooks = {}): Promise<Demo> {
  const cleanup: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const backend =
      options.externalCollector === undefined
        ? await startEmbeddedBackend({
            host: options.host,
            port: options.collectorPort,
            controlPort: options.controlPort,
          })
        : externalBackend(options.externalCollector);
    cleanup.push(() => backend.stop());

    const services = new Services({
      host: options.host,
      frontendPort: options.frontendPort,
      inventoryPort: options.inventoryPort,
      collectorAddress: backend.address,
      agentEnv: options.agentEnv,
      statusIntervalMs: options.tickMs,
      injectErrors: options.injectErrors,
      ...(hooks.onServiceLine === undefined ? {} : { onStderrLine: hooks.onServiceLine }),
    });
    cleanup.push(() => services.stop());
    await services.start();

    const load = new LoadGenerator(() => services.frontendUrl, options.rate);
    cleanup.push(() => load.stop());

    const history = new History<DemoSample>(HISTORY_SAMPLES);
    const tables = (): DemoTables => ({
      traces: backend.traces(TRACE_ROWS),
      instances: backend.instances(),
    });
    const dashboard: DashboardServer = await startDashboard(
      { backend, load, services, history, tables },
      { host: options.host, port: options.dashboardPort },
    );
    cleanup.push(() => dashboard.stop());

    let seq = 0;
    const sample = () => {
      const next: DemoSample = {
        at: Date.now(),
        seq: seq++,
        load: load.snapshot(),
        services: services.samples(),
        backend: backend.view(),
        restarts: services.restarts,
      };
      history.push(next);
      dashboard.broadcast(next, tables());
    };
    const sampler = setInterval(sample, options.tickMs);
    sampler.unref();
    cleanup.push(() => clearInterval(sampler));
    sample();
    load.start();

    if (options.watch) {
      const folders = [
        ...agentDistFolders(import.meta.url),
        new URL('services', import.meta.url).pathname,
      ];
      const unwatch = watchFolders(folders, () => {
        hooks.onNotice?.('the agent or a service changed: restarting the services');
        services.restart().then(
          () => hooks.onNotice?.('services restarted'),
          (error: unknown) =>
            hooks.onNotice?.(
              `restart failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
      });
      cleanup.push(unwatch);
    }

    return {
      url: dashboard.url,
      backend,
      services,
      load,
      history,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
