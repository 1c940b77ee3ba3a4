import { readFileSync } from 'node:fs';
import { type ChannelCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { type OptionChecks, shown } from '@windsock/options';
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
export function tlsFilesFor(options: TransportOptions, check: OptionChecks): TlsFiles | undefined {
  const { caPath, certPath, keyPath } = options;
  const secure = options.secure === true || caPath !== undefined || certPath !== undefined;
  if (!secure && keyPath === undefined) return undefined;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    check.add(
      'certPath/keyPath',
      `${shown(certPath)}/${shown(keyPath)}`,
      'both certPath and keyPath (mTLS), or neither',
    );
  }
  const read = (path: string | undefined, option: string): Buffer | undefined =>
    path === undefined ? undefined : readPem(path, option, check);
  return {
    ca: read(caPath, 'caPath'),
    cert: read(certPath, 'certPath'),
    key: read(keyPath, 'keyPath'),
  };
}

/** The grpc-js channel credentials for `tlsFilesFor`'s result. */
export function channelCredentialsFor(tls: TlsFiles | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}

function readPem(path: string, option: string, check: OptionChecks): Buffer | undefined {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = describeError(error);
    check.add(option, path, `a readable file (${reason})`);
    return undefined;
  }
  if (!content.includes('-----BEGIN')) {
    check.add(option, path, 'a PEM file');
    return undefined;
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
