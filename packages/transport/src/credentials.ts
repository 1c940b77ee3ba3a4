import { readFileSync } from 'node:fs';
import { type ChannelCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { type BurstTls } from './burst-session.js';
import { type TransportOptions } from './options.js';

/** Builds the channel credentials; certificate files are read now so a bad path fails at creation, not at send. */
export function channelCredentialsFor(options: TransportOptions): ChannelCredentials {
  const { caPath, certPath, keyPath } = options;
  const secure = options.secure === true || caPath !== undefined || certPath !== undefined;
  if (!secure && keyPath === undefined) return credentials.createInsecure();
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new TypeError('windsock transport: mTLS needs both certPath and keyPath');
  }
  return credentials.createSsl(
    caPath === undefined ? null : readPem(caPath, 'caPath'),
    keyPath === undefined ? null : readPem(keyPath, 'keyPath'),
    certPath === undefined ? null : readPem(certPath, 'certPath'),
  );
}

/**
 * The TLS material of the burst calls' own HTTP/2 connections (see burst-call.ts), from the same files as the
 * channel credentials; `undefined` for plain-text connections.
 */
export function burstTlsFor(options: TransportOptions): BurstTls | undefined {
  const { caPath, certPath, keyPath } = options;
  const secure = options.secure === true || caPath !== undefined || certPath !== undefined;
  if (!secure && keyPath === undefined) return undefined;
  return {
    ca: caPath === undefined ? undefined : readPem(caPath, 'caPath'),
    cert: certPath === undefined ? undefined : readPem(certPath, 'certPath'),
    key: keyPath === undefined ? undefined : readPem(keyPath, 'keyPath'),
  };
}

function readPem(path: string, option: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `windsock transport: cannot read ${option} ${JSON.stringify(path)}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  if (!content.includes('-----BEGIN')) {
    throw new Error(`windsock transport: ${option} ${JSON.stringify(path)} is not a PEM file`);
  }
  return content;
}

/** The metadata every call carries: OAP's `authentication` token and the `agent-version`. */
export function callMetadataFor(options: TransportOptions): Metadata {
  const metadata = new Metadata();
  if (options.authentication !== undefined) metadata.set('authentication', options.authentication);
  if (options.agentVersion !== undefined) metadata.set('agent-version', options.agentVersion);
  return metadata;
}
