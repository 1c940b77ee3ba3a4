// The backend of the demo shop, an Express 5 application: stock and prices per SKU behind the routes /items/:sku
// and /prices/:sku, so that with the Express instrumentation its spans are named by route template, not by SKU.
// Every request is traced (incoming HTTP), logged through pino, and counted in a custom meter.
import express from 'express';
import { runService } from './runtime.js';

/** The share of stock lookups failed on purpose while the demo's injected errors are on (the dashboard's switch). */
const INJECTED_ERROR_RATE = 0.03;

const STOCK = new Map<string, number>();

await runService(
  'inventory',
  ({ agent, log, injectError }) => {
    const lookups = agent?.meter.counter('demo_inventory_lookups_total', { service: 'inventory' });
    // A little variable work, so the traces have durations worth looking at.
    const work = () => new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));

    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');

    app.get('/items/:sku', async (request, response) => {
      const { sku } = request.params;
      lookups?.inc();
      await work();
      if (injectError()) {
        log.error({ sku, injected: true }, 'stock database timed out (error injected by the demo)');
        response.status(503).json({ error: 'stock unavailable (injected)' });
        return;
      }
      const stock = (STOCK.get(sku) ?? 100) - 1;
      STOCK.set(sku, stock <= 0 ? 100 : stock);
      if (stock < 5) log.warn({ sku, stock }, 'low stock');
      else log.info({ sku, stock }, 'stock looked up');
      response.json({ sku, stock });
    });

    app.get('/prices/:sku', async (request, response) => {
      const { sku } = request.params;
      lookups?.inc();
      await work();
      response.json({ sku, price: 10 + (hash(sku) % 90) });
    });

    app.use((_request, response) => {
      response.status(404).json({ error: 'not found' });
    });
    return app;
  },
  { injectedErrorRate: INJECTED_ERROR_RATE },
);

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
