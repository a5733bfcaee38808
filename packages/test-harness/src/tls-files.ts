import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A CA and a server certificate it signed, for 127.0.0.1 and localhost. */
export interface TlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** PEM text of the CA certificate. */
  readonly ca: string;
}

/** Generates a throw-away CA and a server certificate with openssl (as an operator would, with real names). */
export const generateTlsFiles = async (dir: string): Promise<TlsFiles> => {
  const f = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args);
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Stocknerve Test CA',
    '-keyout',
    f('ca-key.pem'),
    '-out',
    f('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server-key.pem'),
    '-out',
    f('server.csr'),
  );
  await writeFile(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca-key.pem'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('server.ext'),
    '-out',
    f('server-cert.pem'),
  );
  return {
    caFile: f('ca.pem'),
    certFile: f('server-cert.pem'),
    keyFile: f('server-key.pem'),
    ca: await readFile(f('ca.pem'), 'utf8'),
  };
};
