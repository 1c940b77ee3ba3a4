export { enableInstrumentations } from './enable.js';
export { registerEsmLoader } from './hooks/esm-loader.js';
export { hookModules, type ModulePatch } from './hooks/module-hook.js';
export { wrapMethod, unwrapped } from './hooks/wrap.js';
export { INSTRUMENTATIONS, LIBRARY_INSTRUMENTATIONS } from './registry.js';
export { instrumentationTable } from './describe.js';
