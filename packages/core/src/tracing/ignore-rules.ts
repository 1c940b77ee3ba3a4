// Which incoming requests are not traced: path globs in the `SW_TRACE_IGNORE_PATH` style of the Apache agents
// (`/health`, `/static/**`, `/api/*/ping`, `/v?/status`) and HTTP methods (`OPTIONS`, `HEAD`).
// `**` matches any characters including `/`, `*` matches within one path segment, `?` one character.
export class IgnoreRules {
  private readonly pathPattern: RegExp | undefined;
  private readonly methods: ReadonlySet<string>;

  constructor(paths: readonly string[] = [], methods: readonly string[] = []) {
    const sources = paths
      .map((p) => p.trim())
      .filter((p) => p.length > 0)
      .map(globToRegExpSource);
    // One alternation compiled once: a request pays one regex test whatever the number of patterns.
    this.pathPattern = sources.length > 0 ? new RegExp(`^(?:${sources.join('|')})$`) : undefined;
    this.methods = new Set(methods.map((m) => m.trim().toUpperCase()).filter((m) => m.length > 0));
  }

  /** `path` without the query string; `method` in any case. */
  ignores(method: string, path: string): boolean {
    if (this.methods.size > 0 && this.methods.has(method.toUpperCase())) return true;
    return this.pathPattern !== undefined && this.pathPattern.test(path);
  }
}

export function globToRegExpSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i += 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return source;
}
