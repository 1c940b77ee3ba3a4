// Runs the two demo services as child processes under `node --import windsock/register`, exactly as a user
// would run their own app, and keeps their latest status samples. Restarting means stopping both and starting
// them again, together (the frontend is given inventory's address before either listens).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DemoError, freePort } from './listen.js';
import {
  isServiceMessage,
  type DemoMessage,
  type ServiceName,
  type ServiceSample,
} from './messages.js';

/** The demo package root: `--import windsock/register` and `--import tsx` resolve from here. */
export const DEMO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ServicesOptions {
  host: string;
  frontendPort: number;
  inventoryPort: number;
  collectorAddress: string;
  agentEnv: Record<string, string>;
  statusIntervalMs: number;
  /** Whether the services start with the demo's injected errors on (the dashboard switches them later). */
  injectErrors: boolean;
  /** Where a service's stderr lines (the agent's diagnostics) go; the demo prefixes them with the service name. */
  onStderrLine?: (service: ServiceName, line: string) => void;
}

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;

class ServiceProcess {
  latest: ServiceSample | undefined;
  port: number | undefined;
  private child: ChildProcess | undefined;

  constructor(readonly service: ServiceName) {}

  start(env: Record<string, string>, onStderrLine: (line: string) => void): Promise<number> {
    const child = spawn(
      process.execPath,
      ['--import', 'windsock/register', '--import', 'tsx', `src/services/${this.service}.ts`],
      {
        cwd: DEMO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', process.env.DEMO_LOGS === '1' ? 'inherit' : 'ignore', 'pipe', 'ipc'],
      },
    );
    this.child = child;
    let pending = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') onStderrLine(line);
    });

    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new DemoError(`the ${this.service} service did not start in time`)),
        START_TIMEOUT_MS,
      );
      timer.unref();
      let fatal: string | undefined;
      child.on('message', (message) => {
        if (!isServiceMessage(message)) return;
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.port = message.port;
          resolve(message.port);
        } else if (message.type === 'status') {
          if (this.child === child) this.latest = message.sample;
        } else {
          fatal = message.message;
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        reject(
          new DemoError(
            fatal ??
              `the ${this.service} service exited (${signal ?? `code ${code}`}) before it was ready`,
          ),
        );
      });
    });
  }

  /** Tells the running process something; a process starting or stopping gets it from its environment instead. */
  send(message: DemoMessage): void {
    if (this.child?.connected === true) this.child.send(message);
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
  stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.latest = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      kill.unref();
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

export class Services {
  private readonly inventory = new ServiceProcess('inventory');
  private readonly frontend = new ServiceProcess('frontend');
  private restarting: Promise<void> | undefined;
  private injectErrors: boolean;
  restarts = 0;

  constructor(private readonly options: ServicesOptions) {
    this.injectErrors = options.injectErrors;
  }

  /** Switches the injected errors in the running services, and for every later start (a restart after a rebuild). */
  setInjectErrors(enabled: boolean): void {
    this.injectErrors = enabled;
    for (const service of [this.inventory, this.frontend])
      service.send({ type: 'inject-errors', enabled });
  }

  /** Where the load generator sends its requests. */
  get frontendUrl(): string {
    return `http://${this.options.host}:${this.frontend.port ?? this.options.frontendPort}`;
  }

  samples(): Partial<Record<ServiceName, ServiceSample>> {
    const result: Partial<Record<ServiceName, ServiceSample>> = {};
    if (this.inventory.latest !== undefined) result.inventory = this.inventory.latest;
    if (this.frontend.latest !== undefined) result.frontend = this.frontend.latest;
    return result;
  }

  async start(): Promise<void> {
    const { host, agentEnv, collectorAddress, statusIntervalMs } = this.options;
    const common = {
      ...agentEnv,
      SW_AGENT_COLLECTOR_BACKEND_SERVICES: collectorAddress,
      DEMO_SERVICE_HOST: host,
      DEMO_STATUS_INTERVAL: String(statusIntervalMs),
      DEMO_INJECT_ERRORS: this.injectErrors ? '1' : '0',
    };
    // Both start at once: loading the agent and the app takes each process a second or more, and the frontend
    // needs only inventory's address, so inventory's port is chosen up front when it was left to the system (0).
    const inventoryPort =
      this.options.inventoryPort ||
      (await freePort(host, 'use --inventory-port or DEMO_INVENTORY_PORT'));
    await Promise.all([
      this.inventory.start(
        { ...common, SW_AGENT_NAME: 'inventory', DEMO_SERVICE_PORT: String(inventoryPort) },
        (line) => this.options.onStderrLine?.('inventory', line),
      ),
      this.frontend.start(
        {
          ...common,
          SW_AGENT_NAME: 'frontend',
          DEMO_SERVICE_PORT: String(this.options.frontendPort),
          DEMO_INVENTORY_URL: `http://${host}:${inventoryPort}`,
        },
        (line) => this.options.onStderrLine?.('frontend', line),
      ),
    ]);
  }

  /** Coalesces overlapping requests (a rebuild touches many files) into one restart. */
  restart(): Promise<void> {
    this.restarting ??= (async () => {
      try {
        await this.stop();
        await this.start();
        this.restarts++;
      } finally {
        this.restarting = undefined;
      }
    })();
    return this.restarting;
  }

  async stop(): Promise<void> {
    await Promise.all([this.frontend.stop(), this.inventory.stop()]);
  }
}
