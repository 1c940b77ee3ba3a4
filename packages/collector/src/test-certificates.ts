// Throwaway certificates for TLS and mTLS on loopback, made with the openssl CLI when asked for: a CA, a server
// certificate for 127.0.0.1/localhost, a client certificate, and a second CA that signed nothing. For tests and local
// development against the collector; nothing secret is committed or kept on disk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
  /** A CA that signed nothing here: a client trusting only it must reject the server. */
  otherCa: Buffer;
}

/** Makes a fresh set with `openssl` (which must be on the PATH); the temporary files are removed before it returns. */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'windsock-collector-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    for (const ca of ['ca', 'other-ca']) {
      openssl(
        'req',
        '-x509',
        ...ecKey,
        '-keyout',
        file(`${ca}.key`),
        '-out',
        file(`${ca}.crt`),
        '-days',
        '2',
        '-subj',
        `/CN=windsock ${ca}`,
      );
    }
    const issue = (name: string, subject: string, extensions: string) => {
      writeFileSync(file(`${name}.ext`), extensions);
      openssl(
        'req',
        ...ecKey,
        '-keyout',
        file(`${name}.key`),
        '-out',
        file(`${name}.csr`),
        '-subj',
        subject,
      );
      openssl(
        'x509',
        '-req',
        '-in',
        file(`${name}.csr`),
        '-CA',
        file('ca.crt'),
        '-CAkey',
        file('ca.key'),
        '-CAcreateserial',
        '-out',
        file(`${name}.crt`),
        '-days',
        '2',
        '-extfile',
        file(`${name}.ext`),
      );
    };
    issue(
      'server',
      '/CN=localhost',
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    );
    issue('client', '/CN=windsock-agent', 'extendedKeyUsage=clientAuth\n');
    return {
      ca: readFileSync(file('ca.crt')),
      serverCert: readFileSync(file('server.crt')),
      serverKey: readFileSync(file('server.key')),
      clientCert: readFileSync(file('client.crt')),
      clientKey: readFileSync(file('client.key')),
      otherCa: readFileSync(file('other-ca.crt')),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
