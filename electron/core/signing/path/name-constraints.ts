import type { CertName, CertificateProfile, Subtree } from './certificate-profile';

/**
 * RFC 5280 §4.2.1.10 name constraints. Each CA's constraints are checked on its own against
 * every certificate below it in the path (self-issued intermediates excepted, §6.1.3 (b)),
 * which is the intersection the RFC's state machine computes, the way OpenSSL and Go do it.
 * Within one CA: no name may lie in an excluded subtree, and for each name form that has
 * permitted subtrees, every name of that form must lie in one of them. Forms we cannot match
 * (otherName, x400Address, ediPartyName, registeredID) fail closed when both the constraint
 * and the certificate use them.
 */

function lower(s: string): string {
  return s.toLowerCase();
}

/** dNSName: equal, or a subdomain; a leading dot in the constraint means subdomains only. */
function dnsWithin(name: string, base: string): boolean {
  const n = lower(name);
  const b = lower(base);
  if (b === '') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

/** rfc822Name: a mailbox (exact), a host (exact) or `.domain` (any host below it). */
function emailWithin(name: string, base: string): boolean {
  const at = name.lastIndexOf('@');
  if (at < 0) return false;
  const host = lower(name.slice(at + 1));
  if (base.includes('@')) {
    const bAt = base.lastIndexOf('@');
    return name.slice(0, at) === base.slice(0, bAt) && host === lower(base.slice(bAt + 1));
  }
  if (base.startsWith('.')) return host.endsWith(lower(base));
  return host === lower(base);
}

/** uniformResourceIdentifier: the host part, as for a host-or-domain constraint. */
function uriWithin(name: string, base: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(name)?.[1];
  if (!host) return false;
  if (base.startsWith('.')) return lower(host).endsWith(lower(base));
  return lower(host) === lower(base);
}

function ipWithin(name: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== name.length * 2) return false;
  for (let i = 0; i < name.length; i++) {
    const mask = base[name.length + i] ?? 0;
    if (((name[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** directoryName: the constraint's attributes are the first ones of the name, in order. */
function dnWithin(
  name: Extract<CertName, { form: 'dn' }>['value'],
  base: Extract<Subtree, { form: 'dn' }>['value'],
): boolean {
  const n = name.typesAndValues;
  const b = base.typesAndValues;
  if (b.length > n.length) return false;
  return b.every((tv, i) => {
    const other = n[i];
    return other !== undefined && other.type === tv.type && other.isEqual(tv);
  });
}

function within(name: CertName, base: Subtree): boolean {
  if (name.form !== base.form) return false;
  switch (name.form) {
    case 'dns':
      return dnsWithin(name.value, base.value as string);
    case 'email':
      return emailWithin(name.value, base.value as string);
    case 'uri':
      return uriWithin(name.value, base.value as string);
    case 'ip':
      return ipWithin(name.value, base.value as Uint8Array);
    case 'dn':
      return dnWithin(name.value, (base as Extract<Subtree, { form: 'dn' }>).value);
    case 'other':
      // Unmatchable form: inside every subtree of its type (so an exclusion excludes it) and
      // never permitted (below).
      return name.value === base.value;
  }
}

/** Whether `subject`'s names satisfy the name constraints of `ca`. */
export function satisfiesNameConstraints(ca: CertificateProfile, subject: CertificateProfile): boolean {
  if (!ca.hasNameConstraints) return true;
  for (const name of subject.names) {
    if (ca.excluded.some((base) => within(name, base))) return false;
    const sameForm = ca.permitted.filter((base) => base.form === name.form);
    if (sameForm.length === 0) continue;
    if (name.form === 'other') return false;
    if (!sameForm.some((base) => within(name, base))) return false;
  }
  return true;
}
