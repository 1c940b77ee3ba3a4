// grpc-js writes its own log lines (a proxy it cannot reach, GRPC_TRACE output) with console.error, from socket and
// timer callbacks that no agent code surrounds. When the application's console is captured and reported, those lines
// would become application logs: the agent's own activity fed back into its own pipeline. guardGrpcLogs hands
// grpc-js a logger that writes through `guard` (the facade passes core's runAsAgent, so that the console capture
// recognises the lines as the agent's) and changes nothing else: the same logger, the same output.
import { setLogger } from '@grpc/grpc-js';
// Not re-exported from the package root; grpc-js has no exports map, and its version is pinned.
import { getLogger } from '@grpc/grpc-js/build/src/logging.js';

type LogFunction = (message?: unknown, ...optionalParams: unknown[]) => void;

interface GrpcLogger {
  error: LogFunction;
  info: LogFunction;
  debug: LogFunction;
}

/** Routes grpc-js's log output through `guard` until the returned function is called. */
export function guardGrpcLogs(guard: (write: () => void) => void): () => void {
  const previous = getLogger() as GrpcLogger;
  const through =
    (method: keyof GrpcLogger): LogFunction =>
    (message, ...optionalParams) =>
      guard(() => previous[method](message, ...optionalParams));
  const guarded: GrpcLogger = {
    error: through('error'),
    info: through('info'),
    debug: through('debug'),
  };
  setLogger(guarded);
  return () => {
    // Only undo our own change: a logger the application set since stays.
    if (getLogger() === guarded) setLogger(previous);
  };
}
