// Steady traffic into the frontend at a rate the dashboard can change. It runs in the demo process, which has no
// agent: the load itself is not traced, only what the services do with it.
import { Agent, request } from 'node:http';

export interface LoadStats {
  /** Requests per second asked for. */
  rate: number;
  sent: number;
  ok: number;
  failed: number;
  /** Not sent because too many were still waiting: a stalled service must not make the demo pile up sockets. */
  skipped: number;
  inFlight: number;
}

const TICK_MS = 100;
const MAX_IN_FLIGHT = 200;
const REQUEST_TIMEOUT_MS = 10_000;

export class LoadGenerator {
  private readonly stats: LoadStats;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private timer: NodeJS.Timeout | undefined;
  private owed = 0;
  private next = 0;

  constructor(
    private readonly target: () => string,
    rate: number,
  ) {
    this.stats = { rate, sent: 0, ok: 0, failed: 0, skipped: 0, inFlight: 0 };
  }

  snapshot(): LoadStats {
    return { ...this.stats };
  }

  setRate(rate: number): void {
    this.stats.rate = rate;
    this.owed = 0;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
  }

  private tick(): void {
    // Fractional requests carry over, so 3 req/s means 3, not 0 per 100 ms rounded down.
    this.owed += (this.stats.rate * TICK_MS) / 1000;
    while (this.owed >= 1) {
      this.owed--;
      if (this.stats.inFlight >= MAX_IN_FLIGHT) this.stats.skipped++;
      else this.send();
    }
  }

  private send(): void {
    this.stats.sent++;
    this.stats.inFlight++;
    const sku = `sku-${this.next++ % 25}`;
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.stats.inFlight--;
      if (ok) this.stats.ok++;
      else this.stats.failed++;
    };
    const req = request(
      `${this.target()}/checkout?sku=${sku}`,
      { agent: this.agent, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        response.resume();
        response.on('end', () => settle(response.statusCode === 200));
        response.on('error', () => settle(false));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => settle(false));
    req.end();
  }
}
