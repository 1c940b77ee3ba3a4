export { MAX_TIMER_DELAY_MS, OptionChecks, type NumberBounds } from './option-checks.js';
export { OptionsError, type OptionProblem } from './options-error.js';
export {
  isHostPort,
  parseAddresses,
  parseBoolean,
  parseBytes,
  parseDuration,
  parseEnum,
  parseList,
  parseNumber,
  parseString,
  type Parsed,
} from './parse.js';
export { readSettings, type SettingSpec, type SettingsRead } from './settings-reader.js';
export { shown } from './shown.js';
