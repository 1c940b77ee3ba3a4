/**
 * The endpoint template of a path as the application registered it. Strings are kept as written (`/users/:id`,
 * Express 5's `/*splat`, Express 4's `/ab?cd`); a RegExp is its literal (`/^\/items\/(\d+)$/i`), so it can be found
 * in the code; an array is its alternatives in brackets (`[/users/:id,/people/:id]`), because neither Express
 * version tells which alternative matched. Every template comes from the code, never from the request, so the
 * number of endpoints stays that of the routes.
 */
export function pathTemplate(path: unknown): string {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) {
    const alternatives = (path as unknown[]).flat(Infinity);
    if (alternatives.length === 1) return pathTemplate(alternatives[0]);
    return `[${alternatives.map(pathTemplate).join(',')}]`;
  }
  return String(path);
}

/**
 * The template a mount (`app.use(path, …)`) adds in front of the routes below it: empty for the root mount, which
 * adds nothing.
 */
export function mountTemplate(path: unknown): string {
  const template = pathTemplate(path);
  return template === '/' ? '' : template;
}

/**
 * `prefix` (the mounts the request went through) followed by `template`, with one slash between them: Express
 * matches `/api/` and `/api` alike, so a route at `/` under `/api` is `/api`.
 */
export function joinTemplate(prefix: string, template: string): string {
  if (template === '' || template === '/') return prefix === '' ? '/' : prefix;
  if (prefix === '') return template;
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return template.startsWith('/') ? base + template : `${base}/${template}`;
}

/**
 * The template of a mount that was registered before the instrumentation was enabled, rebuilt from what the layer
 * matched: Express 4 and router 2.2 keep only the matched path, its parameter names and values. Each parameter's
 * value must be a whole segment of the path to be replaced by `:name`; otherwise the mount is unknown (undefined),
 * never the raw path.
 */
export function matchedTemplate(
  path: string,
  keys: readonly unknown[],
  params: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (keys.length === 0) return path;
  if (params === undefined) return undefined;
  const segments = path.split('/');
  for (const key of keys) {
    const name = typeof key === 'object' && key !== null ? (key as { name?: unknown }).name : key;
    if (typeof name !== 'string' && typeof name !== 'number') return undefined;
    const value = params[name];
    if (typeof value !== 'string') return undefined;
    const index = segments.findIndex((s) => s === value || decoded(s) === value);
    if (index === -1) return undefined;
    segments[index] = typeof name === 'number' ? '*' : `:${name}`;
  }
  return segments.join('/');
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
