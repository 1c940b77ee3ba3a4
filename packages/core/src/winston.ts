// Entry point `@windsock/core/winston`: log reporting and correlation for winston (an optional peer dependency;
// nothing here imports it).
export {
  instrumentWinston,
  winstonFormat,
  type WinstonFormat,
  type WinstonFormatOptions,
  type WinstonInfo,
  type WinstonLoggerLike,
} from './integrations/winston.js';
