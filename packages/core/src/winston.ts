// Entry point `@windsock/core/winston`: log reporting and correlation for winston (an optional peer dependency;
// nothing here imports it).
export {
  instrumentWinston,
  type InstrumentWinstonOptions,
  type WinstonFormat,
  type WinstonInfo,
  type WinstonLoggerLike,
} from './logs/winston.js';
