import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * True when `serverPem` was issued and signed by the CA in `caPem`, is valid now, and names
 * `hostname` (DNS name or IP). Lets a till trust the retailer's private CA for `wss://` and the
 * hub's HTTPS without installing it in the operating system's store (STOCKNERVE_NATS_CA).
 */
export const issuedByPrivateCa = (caPem: string, serverPem: string, hostname: string, now = Date.now()): boolean => {
  let ca: X509Certificate;
  let cert: X509Certificate;
  try {
    ca = new X509Certificate(caPem);
    cert = new X509Certificate(serverPem);
  } catch {
    return false;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
  if (Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now) return false;
  const host = hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
};
