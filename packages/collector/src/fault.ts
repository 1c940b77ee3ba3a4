import { status } from '@grpc/grpc-js';

/** The SkyWalking services the collector serves; faults can target any subset of them. */
export const SERVICE_NAMES = [
  'TraceSegmentReportService',
  'LogReportService',
  'MeterReportService',
  'ManagementService',
  'EventService',
  'ConfigurationDiscoveryService',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * What the collector does wrong, switchable at run time.
 *
 * Listener faults act on the TCP port and so on every service at once:
 * - `up`: listening and answering normally; also clears every call fault of the targeted services.
 * - `refuse`: not listening (connections are refused); open connections are dropped. `up` listens on the same port again.
 * - `blackhole`: connections are accepted and never answered, like a hung backend; open connections are dropped.
 * - `flap`: alternates `refuse` and `up` every `periodMs`, starting with `refuse`.
 *
 * Call faults act per service and combine (a service can be delayed, failing and resetting at once):
 * - `delay`: every answer is held back `ms` milliseconds.
 * - `fail`: a `ratio` (default 1) of calls is answered with gRPC status `code`, optionally with a
 *   `grpc-retry-pushback-ms` hint in the trailers.
 * - `reset`: after `afterMessages` messages of a call, the next message makes the server drop the whole TCP
 *   connection (every call multiplexed on it dies with it). A unary request is one message, so `afterMessages: 0`
 *   also drops unary calls.
 * - `auth`: calls whose `authentication` metadata is not `token` get UNAUTHENTICATED; `token: undefined` turns it off.
 */
export type Fault =
  | { type: 'up' }
  | { type: 'refuse' }
  | { type: 'blackhole' }
  | { type: 'flap'; periodMs: number }
  | { type: 'delay'; ms: number }
  | { type: 'fail'; code: status; ratio?: number; pushbackMs?: number; message?: string }
  | { type: 'reset'; afterMessages: number }
  | { type: 'auth'; token: string | undefined };

export type ListenerFault = Extract<Fault, { type: 'refuse' | 'blackhole' | 'flap' }>;
export type CallFault = Extract<Fault, { type: 'delay' | 'fail' | 'reset' | 'auth' }>;

/** How the TCP port behaves: the state machine `PortGate` implements. */
export type ListenerMode = 'up' | 'refuse' | 'blackhole';

/** The call faults in force for one service. */
export interface ServiceFaults {
  delayMs?: number;
  fail?: { code: status; ratio: number; pushbackMs?: number; message?: string };
  resetAfterMessages?: number;
  token?: string;
}

/** Shorthands that build `Fault` values: `collector.setFault(fault.fail(status.UNAVAILABLE, { ratio: 0.5 }))`. */
export const fault = {
  up: (): Fault => ({ type: 'up' }),
  refuse: (): Fault => ({ type: 'refuse' }),
  blackhole: (): Fault => ({ type: 'blackhole' }),
  flap: (periodMs: number): Fault => ({ type: 'flap', periodMs }),
  delay: (ms: number): Fault => ({ type: 'delay', ms }),
  fail: (
    code: status,
    options: { ratio?: number; pushbackMs?: number; message?: string } = {},
  ): Fault => ({ type: 'fail', code, ...options }),
  reset: (afterMessages: number): Fault => ({ type: 'reset', afterMessages }),
  auth: (token: string | undefined): Fault => ({ type: 'auth', token }),
};

export function isListenerFault(f: Fault): f is ListenerFault {
  return f.type === 'refuse' || f.type === 'blackhole' || f.type === 'flap';
}

/** The call faults of one service after applying `f` (a pure reducer, so the state is easy to reason about). */
export function applyCallFault(
  current: ServiceFaults,
  f: CallFault | { type: 'up' },
): ServiceFaults {
  switch (f.type) {
    case 'up':
      // `up` heals the calls but keeps authentication: a token is configuration, not a fault.
      return current.token === undefined ? {} : { token: current.token };
    case 'delay':
      return { ...current, delayMs: f.ms };
    case 'fail':
      return {
        ...current,
        fail: {
          code: f.code,
          ratio: f.ratio ?? 1,
          ...(f.pushbackMs === undefined ? {} : { pushbackMs: f.pushbackMs }),
          ...(f.message === undefined ? {} : { message: f.message }),
        },
      };
    case 'reset':
      return { ...current, resetAfterMessages: f.afterMessages };
    case 'auth': {
      const { token: _previous, ...rest } = current;
      return f.token === undefined ? rest : { ...rest, token: f.token };
    }
  }
}

/**
 * Validates a fault that arrived as JSON (HTTP control API, CLI); throws a `TypeError` naming the problem.
 * `code` may be a number or a status name such as `"UNAVAILABLE"`.
 */
export function parseFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('a fault must be a JSON object');
  const raw = input as Record<string, unknown>;
  switch (raw.type) {
    case 'up':
    case 'refuse':
    case 'blackhole':
      return { type: raw.type };
    case 'flap':
      return { type: 'flap', periodMs: positiveNumber(raw, 'periodMs') };
    case 'delay':
      return { type: 'delay', ms: nonNegativeNumber(raw, 'ms') };
    case 'reset':
      return { type: 'reset', afterMessages: nonNegativeInteger(raw, 'afterMessages') };
    case 'auth':
      if (raw.token !== undefined && raw.token !== null && typeof raw.token !== 'string') {
        throw new TypeError('auth.token must be a string or null');
      }
      return { type: 'auth', token: typeof raw.token === 'string' ? raw.token : undefined };
    case 'fail': {
      const parsed: Fault = { type: 'fail', code: statusCode(raw.code) };
      if (raw.ratio !== undefined) {
        const ratio = nonNegativeNumber(raw, 'ratio');
        if (ratio > 1) throw new TypeError('fail.ratio must be between 0 and 1');
        parsed.ratio = ratio;
      }
      if (raw.pushbackMs !== undefined) parsed.pushbackMs = nonNegativeInteger(raw, 'pushbackMs');
      if (raw.message !== undefined) {
        if (typeof raw.message !== 'string') throw new TypeError('fail.message must be a string');
        parsed.message = raw.message;
      }
      return parsed;
    }
    default:
      throw new TypeError(
        'fault.type must be one of up, refuse, blackhole, flap, delay, fail, reset, auth',
      );
  }
}

/** Validates a list of service names that arrived as JSON. */
export function parseServiceNames(input: unknown): ServiceName[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input)) throw new TypeError('services must be an array of service names');
  return input.map((name) => {
    if (!(SERVICE_NAMES as readonly unknown[]).includes(name)) {
      throw new TypeError(
        `unknown service ${JSON.stringify(name)}; known: ${SERVICE_NAMES.join(', ')}`,
      );
    }
    return name as ServiceName;
  });
}

function statusCode(value: unknown): status {
  // OK (0) is not a failure: a "fail" with it would be a success without acknowledgement.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 16)
    return value;
  if (typeof value === 'string' && value !== 'OK' && value in status) {
    const code = status[value as keyof typeof status];
    if (typeof code === 'number') return code;
  }
  throw new TypeError(
    'fail.code must be a gRPC error status (1-16) or its name, e.g. "UNAVAILABLE"',
  );
}

function nonNegativeNumber(raw: Record<string, unknown>, key: string): number {
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${String(raw.type)}.${key} must be a non-negative number`);
  }
  return value;
}

function positiveNumber(raw: Record<string, unknown>, key: string): number {
  const value = nonNegativeNumber(raw, key);
  if (value === 0) throw new TypeError(`${String(raw.type)}.${key} must be positive`);
  return value;
}

function nonNegativeInteger(raw: Record<string, unknown>, key: string): number {
  const value = nonNegativeNumber(raw, key);
  if (!Number.isInteger(value))
    throw new TypeError(`${String(raw.type)}.${key} must be an integer`);
  return value;
}
