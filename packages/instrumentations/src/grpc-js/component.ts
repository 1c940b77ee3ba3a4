/** OAP's `component-libraries.yml` id for gRPC (`GRPC: id 23`); `@windsock/protocol`'s `ComponentId` lists none. */
export const GRPC_COMPONENT_ID = 23;
