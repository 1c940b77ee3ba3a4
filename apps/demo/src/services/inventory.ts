// The backend of the demo shop: stock and prices per SKU. Every request is traced (incoming HTTP), logged
// through pino, and counted in a custom meter.
import { json, runService } from './runtime.js';

const STOCK = new Map<string, number>();

await runService('inventory', ({ agent, log }) => {
  const lookups = agent?.meter.counter('demo_inventory_lookups_total', { service: 'inventory' });

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://inventory');
    const [, kind, sku] = url.pathname.split('/');
    if (sku === undefined || (kind !== 'items' && kind !== 'prices')) {
      json(response, 404, { error: 'not found' });
      return;
    }
    lookups?.inc();
    // A little variable work, so the traces have durations worth looking at.
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 8));
    if (kind === 'prices') {
      json(response, 200, { sku, price: 10 + (hash(sku) % 90) });
      return;
    }
    if (Math.random() < 0.03) {
      log.error({ sku }, 'stock database timed out');
      json(response, 503, { error: 'stock unavailable' });
      return;
    }
    const stock = (STOCK.get(sku) ?? 100) - 1;
    STOCK.set(sku, stock <= 0 ? 100 : stock);
    if (stock < 5) log.warn({ sku, stock }, 'low stock');
    else log.info({ sku, stock }, 'stock looked up');
    json(response, 200, { sku, stock });
  };
});

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
