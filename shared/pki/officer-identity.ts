import { OfficerAddress } from '../sync/relay-protocol/wire-fields';

/**
 * Who a token certificate names, read from the text forms Node's `X509Certificate` gives
 * (`subjectAltName`: `email:a@b, DNS:x`; `subject`: `C=VN\nO=…\nCN=…`; a value holding a separator
 * or a quote is a JSON string). One mapping for the relay (enrolment) and the workstation
 * (every directory device it trusts), so both read the same officer out of the same certificate:
 *
 * - address: the first e-mail subject alternative name, lowercased, else the subject's last CN
 *   lowercased with each run of white space turned into one '.'; the first that is a valid
 *   address (no white space or control characters, at most 320 characters);
 * - name: the subject's last CN, else the address.
 */

/** Values of one kind in Node's `subjectAltName` text. */
export function altNames(text: string | undefined, kind: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  const re = /(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== kind || m[2] === undefined) continue;
    try {
      out.push(m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2]);
    } catch {
      // A value we cannot read is not an address.
    }
  }
  return out;
}

/** The last CN of Node's `subject` text. */
export function commonName(subject: string): string | undefined {
  let cn: string | undefined;
  for (const line of subject.split('\n')) {
    if (!line.startsWith('CN=')) continue;
    const v = line.slice(3);
    try {
      cn = v.startsWith('"') ? (JSON.parse(v) as string) : v;
    } catch {
      cn = undefined;
    }
  }
  return cn;
}

/** The officer's address named by a certificate, or undefined when it names none. */
export function certificateAddress(subjectAltName: string | undefined, subject: string): string | undefined {
  const candidates = [
    ...altNames(subjectAltName, 'email').map((e) => e.trim().toLowerCase()),
    (commonName(subject) ?? '').trim().toLowerCase().replace(/\s+/g, '.'),
  ];
  return candidates.find((c) => OfficerAddress.safeParse(c).success);
}

/** The officer's display name named by a certificate: its CN (at most 128 characters), else the address. */
export function certificateName(subject: string, address: string): string {
  const cn = commonName(subject)?.trim();
  return cn ? cn.slice(0, 128) : address;
}
