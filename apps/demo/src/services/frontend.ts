// The entry of the demo shop: GET /checkout?sku=… asks inventory for stock over node:http and for the price with
// fetch, in parallel, so each trace crosses both client instrumentations and both services.
import { get } from 'node:http';
import { json, runService } from './runtime.js';

const inventoryUrl = process.env.DEMO_INVENTORY_URL ?? 'http://127.0.0.1:3002';

function getJson(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = get(url, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: parse(text) }));
      response.on('error', reject);
    });
    request.setTimeout(5_000, () => request.destroy(new Error('inventory timed out')));
    request.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

await runService('frontend', ({ agent, log }) => {
  const checkouts = agent?.meter.counter('demo_checkouts_total', { service: 'frontend' });

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://frontend');
    if (url.pathname !== '/checkout') {
      json(response, 404, { error: 'not found' });
      return;
    }
    const sku = url.searchParams.get('sku') ?? 'sku-1';
    const [stock, price] = await Promise.all([
      getJson(`${inventoryUrl}/items/${encodeURIComponent(sku)}`),
      fetch(`${inventoryUrl}/prices/${encodeURIComponent(sku)}`, {
        signal: AbortSignal.timeout(5_000),
      }).then(async (r) => ({ status: r.status, body: await r.json() })),
    ]);
    checkouts?.inc();
    if (stock.status !== 200 || price.status !== 200) {
      log.warn({ sku, stock: stock.status, price: price.status }, 'checkout failed upstream');
      json(response, 502, { error: 'inventory unavailable' });
      return;
    }
    log.info({ sku }, 'checkout');
    json(response, 200, { sku, stock: stock.body, price: price.body });
  };
});
