import { type Server } from 'node:http';
import { SpanLayer } from '@windsock/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { close, get } from '../../test/helpers/http.js';
import {
  entrySpans,
  errorLogs,
  served,
  tagOf,
  tracingHarness,
} from '../../test/helpers/tracing.js';
import { expressInstrumentation } from './index.js';

const EXPRESS = 4002;

// NestJS is imported only after the instrumentation is enabled, as under `node --import windsock/register`. Its
// decorators are called by hand (what TypeScript emits for them), so the test needs no decorator transform.
describe('NestJS on its Express adapter', () => {
  const harness = tracingHarness();
  let undo: (() => void) | undefined;
  let close_: (() => Promise<void>) | undefined;
  let base = '';

  beforeAll(async () => {
    undo = expressInstrumentation.enable(harness.context);
    await import('reflect-metadata');
    const { Controller, Get, HttpException, Module, Param } = await import('@nestjs/common');
    const { NestFactory, RouterModule } = await import('@nestjs/core');
    const { ExpressAdapter } = await import('@nestjs/platform-express');

    const method = (target: object, key: string, ...decorators: MethodDecorator[]) => {
      Reflect.decorate(decorators, target, key, Object.getOwnPropertyDescriptor(target, key));
    };

    class UsersController {
      one(id: string) {
        return { id };
      }
      teapot(): never {
        throw new HttpException('short and stout', 418);
      }
      broken(): never {
        throw new Error('nest handler broke');
      }
      async later(id: string) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { later: id };
      }
    }
    Reflect.decorate([Controller('users')], UsersController);
    for (const [key, path] of [
      ['one', ':id'],
      ['teapot', ':id/teapot'],
      ['broken', ':id/broken'],
      ['later', ':id/later'],
    ] as const) {
      method(UsersController.prototype, key, Get(path));
      if (key === 'one' || key === 'later') Param('id')(UsersController.prototype, key, 0);
    }

    class HealthController {
      health() {
        return 'ok';
      }
    }
    Reflect.decorate([Controller('health')], HealthController);
    method(HealthController.prototype, 'health', Get());

    class UsersModule {}
    Reflect.decorate([Module({ controllers: [UsersController] })], UsersModule);
    class ApiModule {}
    Reflect.decorate([Module({ imports: [UsersModule] })], ApiModule);
    class AppModule {}
    Reflect.decorate(
      [
        Module({
          imports: [
            ApiModule,
            // The nested module path: UsersModule's controllers answer under /api/v1.
            RouterModule.register([
              { path: 'api', module: ApiModule, children: [{ path: 'v1', module: UsersModule }] },
            ]),
          ],
          controllers: [HealthController],
        }),
      ],
      AppModule,
    );

    const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const server = app.getHttpServer() as Server;
    close_ = async () => {
      await close(server);
      await app.close();
    };
  });

  afterAll(async () => {
    await close_?.();
    undo?.();
  });

  it('names the entry span after the route template of a nested module path, component Express', async () => {
    expect(await get(`${base}/api/v1/users/42`)).toEqual({ status: 200, body: '{"id":"42"}' });
    const { segment, entry } = await served(harness, '/api/v1/users/42');
    expect(entry).toMatchObject({
      operationName: 'GET:/api/v1/users/:id',
      componentId: EXPRESS,
      spanLayer: SpanLayer.Http,
      isError: false,
    });
    expect(entrySpans(segment)).toHaveLength(1);
    expect(await get(`${base}/health`)).toEqual({ status: 200, body: 'ok' });
    expect((await served(harness, '/health')).entry.operationName).toBe('GET:/health');
  });

  it('keeps the route of an async handler that answers after a timer', async () => {
    expect(await get(`${base}/api/v1/users/7/later`)).toEqual({
      status: 200,
      body: '{"later":"7"}',
    });
    expect((await served(harness, '/api/v1/users/7/later')).entry.operationName).toBe(
      'GET:/api/v1/users/:id/later',
    );
  });

  it('names a thrown HttpException by its route and records the status Nest answered, a client error', async () => {
    const response = await get(`${base}/api/v1/users/3/teapot`);
    expect(response.status).toBe(418);
    expect(JSON.parse(response.body)).toEqual({ statusCode: 418, message: 'short and stout' });
    const { entry } = await served(harness, '/api/v1/users/3/teapot');
    expect(entry).toMatchObject({
      operationName: 'GET:/api/v1/users/:id/teapot',
      componentId: EXPRESS,
      // As for any 4xx answer: the client's error, not the service's.
      isError: false,
    });
    expect(tagOf(entry, 'http.status_code')).toBe('418');
  });

  it('names a thrown plain Error by its route and marks the 500 Nest answered as an error', async () => {
    const response = await get(`${base}/api/v1/users/3/broken`);
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      statusCode: 500,
      message: 'Internal server error',
    });
    const { entry } = await served(harness, '/api/v1/users/3/broken');
    expect(entry).toMatchObject({
      operationName: 'GET:/api/v1/users/:id/broken',
      componentId: EXPRESS,
      isError: true,
    });
    expect(tagOf(entry, 'http.status_code')).toBe('500');
    // Nest's exception filter catches the error inside its route handler: Express never sees it to log it (the
    // nestjs plugin does, src/nestjs/).
    expect(errorLogs(entry)).toEqual([]);
  });

  it('names a request no Nest route matched METHOD:/<unmatched>, never its raw path', async () => {
    expect((await get(`${base}/api/v1/nope/123`)).status).toBe(404);
    const { entry } = await served(harness, '/api/v1/nope/123');
    expect(entry).toMatchObject({ operationName: 'GET:/<unmatched>', componentId: EXPRESS });
  });
});
