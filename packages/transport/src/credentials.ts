import { readFileSync } from 'node:fs';
import { type ChannelCredentials, credentials, Metadata } from '@grpc/grpc-js';
import { type OptionProblem, shown } from './options-error.js';
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
export function tlsFilesFor(
  options: TransportOptions,
  problems: OptionProblem[],
): TlsFiles | undefined {
  const { caPath, certPath, keyPath } = options;
  const secure = options.secure === true || caPath !== undefined || certPath !== undefined;
  if (!secure && keyPath === undefined) return undefined;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    problems.push({
      name: 'certPath/keyPath',
      value: `${shown(certPath)}/${shown(keyPath)}`,
      expected: 'both certPath and keyPath (mTLS), or neither',
    });
  }
  const read = (path: string | undefined, option: string): Buffer | undefined =>
    path === undefined ? undefined : readPem(path, option, problems);
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

function readPem(path: string, option: string, problems: OptionProblem[]): Buffer | undefined {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const reason = describeError(error);
    problems.push({ name: option, value: shown(path), expected: `a readable file (${reason})` });
    return undefined;
  }
  if (!content.includes('-----BEGIN')) {
    problems.push({ name: option, value: shown(path), expected: 'a PEM file' });
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
