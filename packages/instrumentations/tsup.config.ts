import { windsockTsup } from '@windsock/tsup-config';

// `shims` gives the CommonJS build an `import.meta.url`, from which the ES module loader hook is registered. No
// clean: fixture tests load dist/ in child processes, and one entry leaves no stale chunks behind.
export default windsockTsup({ shims: true, clean: false });
