// Entry point `@windsock/core/pino`: log reporting and correlation for pino (an optional peer dependency; nothing
// here imports it).
export {
  instrumentPino,
  pinoInstrumentation,
  pinoMixin,
  PINO_CHANNEL,
  type InstrumentPinoOptions,
} from './logs/pino.js';
