import { constants, createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SignMechanism } from '../token';
import { essCertMatches, signingCertificateV2 } from './ess-signing-certificate';
import { signatureTimestampAttributes, signatureTimestampOf } from './signature-timestamp';
import { timestampInfo } from './timestamp-info';
import type { TimestampSource } from './tsa-client';
import { reason, type Reason } from './verdict';

/**
 * CMS SignedData for CAdES-BES (detached .p7s) and PAdES (ETSI.CAdES.detached), built with
 * pkijs + asn1js. The signature value comes from `sign`, i.e. from the token: nothing here
 * signs. Signed attributes: contentType, messageDigest, signingCertificateV2 (RFC 5035) and,
 * outside PAdES, signingTime.
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
} as const;

const HASH_OF: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

let engineSet = false;
/** pkijs needs a crypto engine for some helpers; Node 20's WebCrypto is the standard one. */
function ensureEngine(): void {
  if (engineSet) return;
  pkijs.setEngine(
    'node-webcrypto',
    new pkijs.CryptoEngine({ name: 'node-webcrypto', crypto: globalThis.crypto }),
  );
  engineSet = true;
}

function sha256AlgId(): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 });
}

function signatureAlgorithm(mechanism: SignMechanism): pkijs.AlgorithmIdentifier {
  switch (mechanism) {
    case 'rsa-pkcs1-sha256':
      return new pkijs.AlgorithmIdentifier({
        algorithmId: OID.sha256WithRsa,
        algorithmParams: new asn1js.Null(),
      });
    case 'rsa-pss-sha256':
      return new pkijs.AlgorithmIdentifier({
        algorithmId: OID.rsaPss,
        algorithmParams: new pkijs.RSASSAPSSParams({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: OID.sha256,
            algorithmParams: new asn1js.Null(),
          }),
          maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
            algorithmId: OID.mgf1,
            algorithmParams: new pkijs.AlgorithmIdentifier({
              algorithmId: OID.sha256,
              algorithmParams: new asn1js.Null(),
            }).toSchema(),
          }),
          saltLength: 32,
        }).toSchema(),
      });
    case 'ecdsa-sha256':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaSha256 });
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

export interface BuildCmsOptions {
  /** SHA-256 of the signed content (the file, or the PDF's byte ranges). */
  readonly contentDigest: Uint8Array;
  readonly signerCertificate: X509Certificate;
  /** Certificates to embed after the signer's (intermediates; roots are left out). */
  readonly chain: readonly X509Certificate[];
  readonly mechanism: SignMechanism;
  /** CAdES: the claimed signing time. PAdES: omitted (the time is the PDF's /M). */
  readonly signingTime?: Date;
  /** Produces the signature over the DER of the signed attributes (on the token). */
  readonly sign: (signedAttributes: Uint8Array) => Promise<Uint8Array>;
  /** B-T: a time-stamp token source for the signature value (`signature-timestamp.ts`). */
  readonly timestamp?: TimestampSource;
}

/** Builds a detached CMS SignedData (ContentInfo, DER). */
export async function buildCms(options: BuildCmsOptions): Promise<Buffer> {
  ensureEngine();
  const signerDer = new Uint8Array(options.signerCertificate.raw);
  const signer = pkijs.Certificate.fromBER(signerDer);
  const attributes = [
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: OID.data })],
    }),
    ...(options.signingTime
      ? [
          new pkijs.Attribute({
            type: OID.signingTime,
            values: [new asn1js.UTCTime({ valueDate: options.signingTime })],
          }),
        ]
      : []),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: new Uint8Array(options.contentDigest) })],
    }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [signingCertificateV2(signer, signerDer)],
    }),
  ];
  // DER orders a SET OF by encoding. Verifiers such as OpenSSL re-encode the attributes before
  // checking the signature, so an unsorted set would fail there.
  const sorted = attributes
    .map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map((x) => x.a);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted });
  const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31; // signed over as a SET OF, not as the [0] IMPLICIT field
  const signature = await options.sign(toBeSigned);

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
    digestAlgorithm: sha256AlgId(),
    signedAttrs,
    signatureAlgorithm: signatureAlgorithm(options.mechanism),
    signature: new asn1js.OctetString({ valueHex: new Uint8Array(signature) }),
  });
  const unsigned = options.timestamp ? await signatureTimestampAttributes(signature, options.timestamp) : [];
  if (unsigned.length > 0)
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: unsigned });
  const certificates = [
    signer,
    ...options.chain
      .filter((c) => c.fingerprint256 !== options.signerCertificate.fingerprint256)
      .map((c) => pkijs.Certificate.fromBER(new Uint8Array(c.raw))),
  ];
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256AlgId()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates,
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

/** What one CMS signature says once checked (before path building). */
export interface CmsCheck {
  /** Problems found with the bytes and the cryptography. */
  readonly reasons: Reason[];
  readonly signer?: X509Certificate;
  /** Every certificate carried in the signature. */
  readonly certificates: X509Certificate[];
  readonly signingTime?: Date;
  readonly signatureAlgorithm?: string;
  /** An RFC 3161 time-stamp token (its signer must be a TSA, its time is genTime). */
  readonly isTimestamp?: boolean;
  /** B-T: the signature timestamp token and the signature value it must cover. */
  readonly signatureTimestamp?: { readonly token: Uint8Array; readonly signatureValue: Uint8Array };
}

/**
 * Parses a CMS SignedData and checks its first SignerInfo: the messageDigest against
 * `contentDigest(hashName)`, the signature over the signed attributes with the signer
 * certificate's key (node:crypto), and the signingCertificateV2 binding when present.
 */
export function checkCms(
  cmsDer: Uint8Array,
  contentDigest: (hash: 'sha256' | 'sha384' | 'sha512') => Buffer,
): CmsCheck {
  ensureEngine();
  let signedData: pkijs.SignedData;
  const certificates: X509Certificate[] = [];
  try {
    const asn = asn1js.fromBER(new Uint8Array(cmsDer));
    if (asn.offset === -1) throw new Error('BER');
    const info = new pkijs.ContentInfo({ schema: asn.result });
    if (info.contentType !== OID.signedData) throw new Error('not SignedData');
    // The certificates are taken as the bytes they arrived in and left out of pkijs's schema
    // parse, which would decode each one and then re-encode it for node:crypto (most of the
    // time a PDF verification spends).
    const fields = (info.content as asn1js.Sequence).valueBlock.value;
    const at = fields.findIndex((b) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0);
    const set = at >= 0 ? (fields[at] as asn1js.Constructed) : undefined;
    for (const c of set?.valueBlock.value ?? []) {
      if (c.idBlock.tagClass !== 1 || c.idBlock.tagNumber !== 16) continue;
      try {
        certificates.push(new X509Certificate(Buffer.from(c.valueBeforeDecodeView)));
      } catch {
        // An unparsable extra certificate is ignored; path building may still succeed.
      }
    }
    if (at >= 0) fields.splice(at, 1);
    signedData = new pkijs.SignedData({ schema: info.content });
  } catch {
    return { reasons: [reason('FORMAT_FAILURE')], certificates: [] };
  }
  const si = signedData.signerInfos[0];
  if (!si?.signedAttrs) return { reasons: [reason('FORMAT_FAILURE')], certificates };

  const signer = findSigner(si, certificates);
  const attr = (oid: string) => si.signedAttrs?.attributes.find((a) => a.type === oid)?.values[0];
  let signingTime: Date | undefined;
  const st = attr(OID.signingTime);
  if (st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime) signingTime = st.toDate();

  const reasons: Reason[] = [];
  const hash = HASH_OF[si.digestAlgorithm.algorithmId];
  const md = attr(OID.messageDigest);
  const ct = attr(OID.contentType);
  if (!hash || !(md instanceof asn1js.OctetString) || !(ct instanceof asn1js.ObjectIdentifier)) {
    return { reasons: [reason('FORMAT_FAILURE')], certificates, ...(signer ? { signer } : {}) };
  }
  // An RFC 3161 token (a PDF document timestamp) signs its TSTInfo, whose message imprint is
  // the digest of the content; any other signature must be over the content itself.
  const tst = timestampInfo(signedData, ct);
  const expected = tst ? createHash(hash).update(tst.der).digest() : contentDigest(hash);
  if (!Buffer.from(md.valueBlock.valueHexView).equals(expected)) reasons.push(reason('HASH_FAILURE'));
  if (tst) {
    const imprintHash = HASH_OF[tst.info.messageImprint.hashAlgorithm.algorithmId];
    const imprint = Buffer.from(tst.info.messageImprint.hashedMessage.valueBlock.valueHexView);
    if (!imprintHash || !imprint.equals(contentDigest(imprintHash))) reasons.push(reason('HASH_FAILURE'));
    signingTime = tst.info.genTime;
  }

  if (!signer) {
    reasons.push(reason('NO_SIGNING_CERTIFICATE_FOUND'));
    return { reasons, certificates, ...(signingTime ? { signingTime } : {}) };
  }
  // The signature is over the attributes exactly as received, re-tagged as a SET OF.
  const signedBytes = Buffer.from(si.signedAttrs.encodedValue);
  signedBytes[0] = 0x31;
  const algorithm = si.signatureAlgorithm.algorithmId;
  if (!verifySignature(algorithm, si, hash, signedBytes, signer.publicKey))
    reasons.push(reason('SIG_CRYPTO_FAILURE'));

  const stToken = signatureTimestampOf(si);
  const scv2 = attr(OID.signingCertificateV2);
  if (scv2 && !essCertMatches(scv2, signer)) reasons.push(reason('NO_SIGNING_CERTIFICATE_FOUND'));
  return {
    reasons,
    signer,
    certificates,
    ...(signingTime ? { signingTime } : {}),
    signatureAlgorithm: algorithm,
    ...(tst ? { isTimestamp: true } : {}),
    ...(stToken
      ? {
          signatureTimestamp: {
            token: stToken,
            signatureValue: new Uint8Array(si.signature.valueBlock.valueHexView),
          },
        }
      : {}),
  };
}

function findSigner(si: pkijs.SignerInfo, certs: readonly X509Certificate[]): X509Certificate | undefined {
  const sid = si.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const serial = Buffer.from(sid.serialNumber.valueBlock.valueHexView).toString('hex').replace(/^0+/, '');
    const issuerDer = Buffer.from(sid.issuer.toSchema().toBER(false));
    // The serial first (node:crypto has it parsed); pkijs parses only a certificate that matches.
    return certs.find(
      (c) =>
        c.serialNumber.toLowerCase().replace(/^0+/, '') === serial &&
        Buffer.from(pkijs.Certificate.fromBER(new Uint8Array(c.raw)).issuer.toSchema().toBER(false)).equals(
          issuerDer,
        ),
    );
  }
  // subjectKeyIdentifier [0] IMPLICIT OCTET STRING: pkijs keeps it as a raw primitive.
  const view = (sid as { valueBlock?: { valueHexView?: Uint8Array } }).valueBlock?.valueHexView;
  if (!view || view.length === 0) return undefined;
  const ski = Buffer.from(view).toString('hex');
  return certs.find((c) => {
    const parsed = pkijs.Certificate.fromBER(new Uint8Array(c.raw));
    const ext = parsed.extensions?.find((e) => e.extnID === '2.5.29.14');
    return ext ? Buffer.from(ext.extnValue.valueBlock.valueHexView).toString('hex').endsWith(ski) : false;
  });
}

function verifySignature(
  algorithm: string,
  si: pkijs.SignerInfo,
  digestHash: 'sha256' | 'sha384' | 'sha512',
  data: Buffer,
  key: KeyObject,
): boolean {
  const sig = Buffer.from(si.signature.valueBlock.valueHexView);
  try {
    switch (algorithm) {
      case OID.rsaEncryption:
        return verify(digestHash, data, key, sig);
      case OID.sha256WithRsa:
        return verify('sha256', data, key, sig);
      case OID.sha384WithRsa:
        return verify('sha384', data, key, sig);
      case OID.sha512WithRsa:
        return verify('sha512', data, key, sig);
      case OID.ecdsaSha256:
        return verify('sha256', data, { key, dsaEncoding: 'der' }, sig);
      case OID.ecdsaSha384:
        return verify('sha384', data, { key, dsaEncoding: 'der' }, sig);
      case OID.ecdsaSha512:
        return verify('sha512', data, { key, dsaEncoding: 'der' }, sig);
      case OID.rsaPss: {
        const params = new pkijs.RSASSAPSSParams({ schema: si.signatureAlgorithm.algorithmParams });
        const hash = HASH_OF[params.hashAlgorithm.algorithmId];
        const mgfParams = params.maskGenAlgorithm.algorithmParams;
        const mgfHash = mgfParams
          ? HASH_OF[new pkijs.AlgorithmIdentifier({ schema: mgfParams }).algorithmId]
          : 'sha1';
        // node:crypto uses the same hash for MGF1; a different one is refused rather than guessed.
        if (!hash || mgfHash !== hash) return false;
        return verify(
          hash,
          data,
          { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
          sig,
        );
      }
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** The DER length of the CMS at the start of `bytes` (a PDF /Contents is zero-padded after it). */
export function derLength(bytes: Uint8Array): number {
  if (bytes.length < 2 || bytes[0] !== 0x30) return -1;
  const first = bytes[1] as number;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || bytes.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] as number);
  return 2 + n + len;
}

/** A PDF signature's CMS: the /Contents placeholder without its zero padding (its DER length). */
export function cmsOfContents(contents: Uint8Array): Uint8Array {
  const len = derLength(contents);
  return len > 0 && len <= contents.length ? contents.subarray(0, len) : contents;
}
