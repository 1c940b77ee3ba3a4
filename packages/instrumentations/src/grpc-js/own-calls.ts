import { SKYWALKING_PACKAGE } from '@windsock/protocol';

const PREFIX = `/${SKYWALKING_PACKAGE}.`;

/**
 * Whether a method belongs to SkyWalking's own protocol (`/skywalking.v3.*`): the agent's reports to OAP, which go
 * through the app's copy of grpc-js outside any suppressed context, and which must never be traced (each report
 * would otherwise produce a span to report). A Node.js app serving that protocol is left untraced for the same reason.
 */
export function isSkyWalkingMethod(path: string): boolean {
  return path.startsWith(PREFIX);
}
