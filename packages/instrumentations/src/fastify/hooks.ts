import { type DiagnosticLogger, type Tracer } from '@windsock/core';
import semver from 'semver';
import { type ErrorRecorder } from './errors.js';
import { type HookGuard } from '../hooks/hook-guard.js';
import {
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
} from './messages.js';
import { nameFromRequest } from './naming.js';

export interface FastifyHookOptions {
  tracer: Tracer;
  guard: HookGuard;
  errors: ErrorRecorder;
  diagnostics: DiagnosticLogger;
  versions: string;
}

/**
 * Called with each Fastify instance as it is created (`fastify.initialization`): adds an `onRequest` hook, the first
 * of the instance since the app has not added any yet, which names the span for every request Fastify routes (a
 * not-found one too, and one a later hook answers, neither of which reaches the handler channel), before any hook of
 * the app could start an exit span; and an `onError` hook, which sees errors raised outside the route handler too.
 * Both are plain hooks that call `done()` at once: the app's lifecycle is unchanged.
 */
export function instrumentInstance(
  fastify: FastifyInstanceLike,
  options: FastifyHookOptions,
): void {
  const { tracer, guard, errors, diagnostics, versions } = options;
  const version = typeof fastify.version === 'string' ? fastify.version : undefined;
  if (version === undefined || !semver.satisfies(version, versions, { includePrerelease: true })) {
    diagnostics.warn(
      'fastify:version',
      `fastify ${version ?? '(unknown version)'} is outside fastify's supported range ${versions}: its hooks are not added`,
    );
    return;
  }

  fastify.addHook(
    'onRequest',
    function windsockOnRequest(request: FastifyRequestLike, _reply: unknown, done: () => void) {
      if (guard.on) {
        try {
          const entry = tracer.activeEntrySpan();
          if (entry !== undefined) nameFromRequest(entry, request);
        } catch (error) {
          guard.fail(error);
        }
      }
      done();
    },
  );
  fastify.addHook(
    'onError',
    function windsockOnError(
      _request: unknown,
      reply: FastifyReplyLike,
      error: unknown,
      done: () => void,
    ) {
      if (guard.on) {
        try {
          const entry = tracer.activeEntrySpan();
          if (entry !== undefined) errors.record(entry, reply, error);
        } catch (failure) {
          guard.fail(failure);
        }
      }
      done();
    },
  );
}
