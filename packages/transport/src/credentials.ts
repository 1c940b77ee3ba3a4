import { readFileSync } from 'node:fs';
import { type ChannelCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { type TransportOptions } from './options.js';
import { describeError } from './results.js';

/** PEM contents of the TLS options: a CA bundle, and a client certificate with its key for mTLS. */
export interface TlsFiles {
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

/**
 * The TLS files, read once at creation so a bad path fails then, not at send; `undefined` for plain text. Both the
 * grpc-js channel and the burst calls' own HTTP/2 connection (burst-session.ts) are built from this.
 */
export function tlsFilesFor(options: TransportOptions): TlsFiles | undefined {
  const { caPath, certPath, keyPath } = options;
  const secure = options.secure === true || caPath !== undefined || certPath !== undefined;
  if (!secure && keyPath === undefined) return undefined;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new TypeError('windsock transport: mTLS needs both certPath and keyPath');
  }
  return {
    ca: caPath === undefined ? undefined : readPem(caPath, 'caPath'),
    cert: certPath === undefined ? undefined : readPem(certPath, 'certPath'),
    key: keyPath === undefined ? undefined : readPem(keyPath, 'keyPath'),
  };
}

/** The grpc-js channel credentials for `tlsFilesFor`'s result. */
export function channelCredentialsFor(tls: TlsFiles | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

function readPem(path: string, option: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    throw new Error(
      `windsock transport: cannot read ${option} ${JSON.stringify(path)}: ${describeError(error)}`,
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
