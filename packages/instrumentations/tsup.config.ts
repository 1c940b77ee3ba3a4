import { windsockTsup } from '@windsock/tsup-config';

// `shims` gives the CommonJS build an `import.meta.url`, from which the ES module loader hook is registered.
export default windsockTsup({ shims: true });
