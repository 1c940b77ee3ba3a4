import { type Instrumentation, type SupportedModule } from '@windsock/core';
import { hookModules } from '../hooks/module-hook.js';
import { type GrpcChannelExports, patchClient } from './client.js';
import { type GrpcServerExports, patchServer } from './server.js';

const GRPC_JS: SupportedModule = { name: '@grpc/grpc-js', versions: '>=1.10.0 <2' };

type GrpcExports = Partial<GrpcChannelExports & GrpcServerExports>;

/**
 * gRPC through `@grpc/grpc-js`, client and server, unary and streaming. grpc-js publishes no diagnostics channel,
 * so two shared prototypes are wrapped: `Channel.prototype.createCall` and `Server.prototype.register`. Both are
 * reached from the package's main export (also what an ES module `import` of this CommonJS package returns), so a
 * copy of grpc-js loaded before the agent (windsock's own transport loads it) is patched on the app's next import.
 */
export const grpcJsInstrumentation: Instrumentation = {
  name: 'grpc-js',
  description:
    'gRPC calls made and served with @grpc/grpc-js (unary and streaming): RPCFramework exit and entry spans named after the method path, with the status code',
  modules: [GRPC_JS],
  enable(context) {
    return hookModules('grpc-js', context, [
      {
        module: GRPC_JS,
        patch(exports) {
          const { Channel, Server } = exports as GrpcExports;
          if (typeof Channel?.prototype !== 'object' || typeof Server?.prototype !== 'object') {
            throw new Error('Channel or Server is missing from its exports');
          }
          // One switch for both sides: a hook that fails turns the whole instrumentation off, and so does the undo
          // for handlers registered while it was on (their wrappers stay in grpc-js's handler map).
          const state = { enabled: true };
          const undoClient = patchClient({ Channel }, context, state);
          const undoServer = patchServer({ Server }, context, state);
          return () => {
            state.enabled = false;
            undoServer();
            undoClient();
          };
        },
      },
    ]);
  },
};
