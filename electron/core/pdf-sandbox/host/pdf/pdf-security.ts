import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { PDFDict, PDFNumber, type PDFObject } from 'pdf-lib';
import type { PdfFile, StreamDecryptor } from './pdf-revisions';
import { get, getDict, nameOf, stringBytes } from './pdf-values';

/**
 * The standard security handler, for the PDFs that arrive encrypted with an empty user
 * password (permissions only): derive the file key with the empty password, check it the way
 * the handler defines, and encrypt or decrypt strings and streams with it. Revisions 5 and 6
 * (AES-256, what Acrobat and qpdf write today) are supported; revisions 2–4 need RC4, which
 * OpenSSL 3 has only in its legacy provider and which we do not write ourselves, so those
 * files are refused with advice. The ciphers and hashes are OpenSSL's (node:crypto).
 */

export interface PdfSecurity extends StreamDecryptor {
  /** The handler's revision (5 or 6) and the permission bits /P. */
  readonly revision: number;
  readonly permissions: number;
  decryptString(num: number, gen: number, data: Uint8Array): Buffer;
  encryptString(num: number, gen: number, data: Uint8Array): Buffer;
  encryptStream(num: number, gen: number, data: Uint8Array): Buffer;
  /** Whether the /Metadata stream is encrypted (/EncryptMetadata). */
  readonly encryptMetadata: boolean;
}

export type SecurityOpening =
  | { readonly ok: true; readonly security: PdfSecurity }
  | { readonly ok: false; readonly problem: 'needs-password' | 'unsupported'; readonly detail: string };

/** Permission bits (1-based in ISO 32000): 6 annotations and forms, 9 filling forms and signing. */
export const PERMIT_ANNOTATE = 1 << 5;
export const PERMIT_FILL_AND_SIGN = 1 << 8;

/** The file's security handler, or undefined when it is not encrypted. */
export function openSecurity(file: PdfFile): SecurityOpening | undefined {
  const rev = file.final;
  const enc = rev.resolve(rev.trailerEntry('Encrypt'));
  if (enc === undefined) return undefined;
  if (!(enc instanceof PDFDict)) return { ok: false, problem: 'unsupported', detail: 'unreadable /Encrypt' };
  const filter = nameOf(get(rev, enc, 'Filter'));
  const r = num(get(rev, enc, 'R'));
  const v = num(get(rev, enc, 'V'));
  if (filter !== 'Standard')
    return { ok: false, problem: 'unsupported', detail: `security handler ${filter}` };
  if ((r !== 5 && r !== 6) || v !== 5)
    return {
      ok: false,
      problem: 'unsupported',
      detail: `standard security handler revision ${r} (RC4 or AES-128)`,
    };
  const u = bytes(get(rev, enc, 'U'));
  const ue = bytes(get(rev, enc, 'UE'));
  const p = num(get(rev, enc, 'P'));
  if (!u || u.length < 48 || !ue || ue.length !== 32 || p === undefined)
    return { ok: false, problem: 'unsupported', detail: 'incomplete /Encrypt' };
  // Crypt filters: AESV3 or Identity for strings and streams.
  const cf = getDict(rev, enc, 'CF');
  const filterOf = (key: 'StmF' | 'StrF') => {
    const name = nameOf(get(rev, enc, key)) ?? 'Identity';
    if (name === 'Identity') return 'identity';
    const method = nameOf(get(rev, getDict(rev, cf, name), 'CFM'));
    return method === 'AESV3' ? 'aes' : method;
  };
  const stmF = filterOf('StmF');
  const strF = filterOf('StrF');
  if ((stmF !== 'aes' && stmF !== 'identity') || (strF !== 'aes' && strF !== 'identity'))
    return { ok: false, problem: 'unsupported', detail: `crypt filter ${String(stmF)}/${String(strF)}` };

  const password = Buffer.alloc(0);
  const hash = r === 6 ? hashR6 : hashR5;
  if (!hash(password, u.subarray(32, 40), Buffer.alloc(0)).equals(u.subarray(0, 32)))
    return { ok: false, problem: 'needs-password', detail: 'the user password is not empty' };
  const intermediate = hash(password, u.subarray(40, 48), Buffer.alloc(0));
  const key = aesCbc('decrypt', intermediate, Buffer.alloc(16), ue, false);
  // /Perms repeats P under the file key: a check that the key is right and P untouched.
  const perms = bytes(get(rev, enc, 'Perms'));
  if (perms && perms.length === 16) {
    const d = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(perms);
    if (d.toString('latin1', 9, 12) !== 'adb' || d.readInt32LE(0) !== (p | 0))
      return { ok: false, problem: 'unsupported', detail: '/Perms does not match /P' };
  }
  const encryptMetadata = get(rev, enc, 'EncryptMetadata')?.toString() !== 'false';
  const enc256 = (data: Uint8Array) => {
    const iv = randomBytes(16);
    return Buffer.concat([iv, aesCbc('encrypt', key, iv, data, true)]);
  };
  const dec256 = (data: Uint8Array) => {
    if (data.length < 32 || data.length % 16 !== 0) throw new Error('not an AES-256 string');
    return aesCbc('decrypt', key, Buffer.from(data.subarray(0, 16)), data.subarray(16), true);
  };
  const strings = strF === 'aes';
  const streams = stmF === 'aes';
  return {
    ok: true,
    security: {
      revision: r,
      permissions: p,
      encryptMetadata,
      decryptString: (_n, _g, d) => (strings ? dec256(d) : Buffer.from(d)),
      encryptString: (_n, _g, d) => (strings ? enc256(d) : Buffer.from(d)),
      decryptStream: (_n, _g, d) => (streams ? dec256(d) : Buffer.from(d)),
      encryptStream: (_n, _g, d) => (streams ? enc256(d) : Buffer.from(d)),
    },
  };
}

function aesCbc(
  mode: 'encrypt' | 'decrypt',
  key: Buffer,
  iv: Buffer,
  data: Uint8Array,
  padding: boolean,
): Buffer {
  const algo = key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc';
  const c = mode === 'encrypt' ? createCipheriv(algo, key, iv) : createDecipheriv(algo, key, iv);
  c.setAutoPadding(padding);
  return Buffer.concat([c.update(data), c.final()]);
}

/** Revision 5 (Adobe extension level 3): one SHA-256. */
function hashR5(password: Buffer, salt: Uint8Array, udata: Uint8Array): Buffer {
  return createHash('sha256').update(password).update(salt).update(udata).digest();
}

/** Revision 6: ISO 32000-2 algorithm 2.B. */
function hashR6(password: Buffer, salt: Uint8Array, udata: Uint8Array): Buffer {
  let k = createHash('sha256').update(password).update(salt).update(udata).digest();
  for (let round = 0; ; round++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => Buffer.concat([password, k, udata])));
    const e = aesCbc('encrypt', k.subarray(0, 16), k.subarray(16, 32), k1, false);
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += e[i] as number;
    const algo = ['sha256', 'sha384', 'sha512'][sum % 3] as string;
    k = createHash(algo).update(e).digest();
    if (round >= 63 && (e[e.length - 1] as number) <= round + 1 - 32) break;
  }
  return k.subarray(0, 32);
}

function num(o: PDFObject | undefined): number | undefined {
  return o instanceof PDFNumber ? o.asNumber() : undefined;
}

function bytes(o: PDFObject | undefined): Buffer | undefined {
  const b = stringBytes(o);
  return b ? Buffer.from(b) : undefined;
}
