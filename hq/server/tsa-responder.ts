import {
  createHash,
  createPrivateKey,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * HQ's RFC 3161 time-stamping authority: a TimeStampReq in, a TimeStampResp out. The token is
 * a CMS SignedData over a TSTInfo built with pkijs and signed with node:crypto by the key and
 * certificate IT issued (`hq serve --tsa-key --tsa-cert`); nothing here is a primitive of our
 * own. Signed attributes: contentType, messageDigest and ESS signingCertificateV2 (RFC 5816),
 * which `openssl ts -verify` requires. The certificate must carry the critical timeStamping
 * EKU (RFC 3161 §2.3) and match the key, or the relay does not start.
 */

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

/** The digests a request's imprint may use, with their lengths. */
const IMPRINT: Readonly<Record<string, number>> = {
  [OID.sha256]: 32,
  '2.16.840.1.101.3.4.2.2': 48,
  '2.16.840.1.101.3.4.2.3': 64,
};

/** The TSA policy our tokens name (the relay's own arc would replace it in production). */
export const TSA_POLICY = '1.3.6.1.4.1.57264.13.1';

export interface TsaSigner {
  readonly key: KeyObject;
  readonly certificate: X509Certificate;
  /** Certificates put in the token after the TSA's own when the request asks (certReq). */
  readonly chain: readonly X509Certificate[];
}

export class TsaConfigError extends Error {}

function pemCertificates(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

/** Reads and checks the TSA's key and certificate files (PEM); throws TsaConfigError. */
export function loadTsaSigner(keyFile: string, certFile: string): TsaSigner {
  let key: KeyObject;
  let certs: X509Certificate[];
  try {
    key = createPrivateKey(readFileSync(keyFile));
    certs = pemCertificates(readFileSync(certFile, 'utf8'));
  } catch {
    throw new TsaConfigError('the TSA key or certificate file cannot be read');
  }
  const [certificate, ...chain] = certs;
  if (!certificate) throw new TsaConfigError('the TSA certificate file holds no certificate');
  if (!certificate.checkPrivateKey(key))
    throw new TsaConfigError('the TSA key does not match its certificate');
  // Node's X509Certificate.keyUsage lists the extended key usages.
  const eku = certificate.keyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== OID.timeStamping)
    throw new TsaConfigError('the TSA certificate must have the extended key usage timeStamping only');
  const ekuExtension = pkijs.Certificate.fromBER(new Uint8Array(certificate.raw)).extensions?.find(
    (e) => e.extnID === '2.5.29.37',
  );
  if (!ekuExtension?.critical)
    throw new TsaConfigError('the TSA certificate must mark its extended key usage critical');
  if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa')
    throw new TsaConfigError('the TSA key must be EC or RSA');
  return { key, certificate, chain };
}

/** PKIStatus values of RFC 3161 §2.4.2. */
const GRANTED = 0;
const REJECTION = 2;
/** PKIFailureInfo bits. */
const BAD_ALG = 0;
const BAD_DATA_FORMAT = 5;

function rejection(bit: number): Uint8Array {
  // A BIT STRING with only `bit` set (named bits, DER: trailing zero bits dropped).
  const bytes = new Uint8Array(Math.floor(bit / 8) + 1);
  bytes[Math.floor(bit / 8)] = 0x80 >> (bit % 8);
  const unused = 7 - (bit % 8);
  const failInfo = new asn1js.BitString({ valueHex: bytes, unusedBits: unused });
  const resp = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: REJECTION, failInfo }),
  });
  return new Uint8Array(resp.toSchema().toBER(false));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/** ESS signingCertificateV2 (RFC 5035): the SHA-256 of the TSA certificate and its issuer and serial. */
function essCertIdV2(cert: pkijs.Certificate, der: Uint8Array): asn1js.Sequence {
  const hash = createHash('sha256').update(der).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new pkijs.GeneralName({ type: 4, value: cert.issuer }).toSchema()] }),
      cert.serialNumber,
    ],
  });
  const id = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: new Uint8Array(hash) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [id] })] });
}

/**
 * Answers one DER TimeStampReq. A request that does not parse, or whose imprint is not a
 * SHA-2 digest of the right length, gets a rejection (badDataFormat / badAlg), never a token.
 */
export function timestampResponse(request: Uint8Array, signer: TsaSigner, now: Date): Uint8Array {
  let req: pkijs.TimeStampReq;
  try {
    req = pkijs.TimeStampReq.fromBER(new Uint8Array(request));
  } catch {
    return rejection(BAD_DATA_FORMAT);
  }
  const alg = req.messageImprint.hashAlgorithm.algorithmId;
  const imprint = req.messageImprint.hashedMessage.valueBlock.valueHexView;
  if (IMPRINT[alg] === undefined) return rejection(BAD_ALG);
  if (imprint.length !== IMPRINT[alg] || req.version !== 1) return rejection(BAD_DATA_FORMAT);

  // 20 random bytes, top bit clear: unique without a counter to keep (RFC 3161 allows 160 bits).
  const serial = randomBytes(20);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const tsaCert = pkijs.Certificate.fromBER(new Uint8Array(signer.certificate.raw));
  const info = new pkijs.TSTInfo({
    version: 1,
    policy: TSA_POLICY,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: alg }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(imprint) }),
    }),
    serialNumber: new asn1js.Integer({ valueHex: new Uint8Array(serial) }),
    genTime: new Date(Math.floor(now.getTime() / 1000) * 1000),
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(req.nonce ? { nonce: req.nonce } : {}),
  });
  const eContent = new Uint8Array(info.toSchema().toBER(false));
  const attributes = [
    new pkijs.Attribute({
      type: OID.contentType,
      values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })],
    }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [
        new asn1js.OctetString({ valueHex: new Uint8Array(createHash('sha256').update(eContent).digest()) }),
      ],
    }),
    new pkijs.Attribute({
      type: OID.signingCertificateV2,
      values: [essCertIdV2(tsaCert, new Uint8Array(signer.certificate.raw))],
    }),
  ]
    // DER orders a SET OF by encoding; OpenSSL re-encodes before checking the signature.
    .map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map((x) => x.a);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes });
  const toBeSigned = new Uint8Array(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31;
  const ec = signer.key.asymmetricKeyType === 'ec';
  const signature = sign('sha256', toBeSigned, signer.key);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: tsaCert.issuer, serialNumber: tsaCert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier(
      ec
        ? { algorithmId: OID.ecdsaSha256 }
        : { algorithmId: OID.sha256WithRsa, algorithmParams: new asn1js.Null() },
    ),
    signature: new asn1js.OctetString({ valueHex: new Uint8Array(signature) }),
  });
  const certificates = req.certReq
    ? [tsaCert, ...signer.chain.map((c) => pkijs.Certificate.fromBER(new Uint8Array(c.raw)))]
    : undefined;
  const signedData = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.tstInfo,
      eContent: new asn1js.OctetString({ valueHex: eContent }),
    }),
    ...(certificates ? { certificates } : {}),
    signerInfos: [signerInfo],
  });
  const token = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  const resp = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({ status: GRANTED }),
    timeStampToken: token,
  });
  return new Uint8Array(resp.toSchema().toBER(false));
}
