import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import type { P11 } from './pkcs11-host-calls';
import { listObjects } from './pkcs11-host-objects';

type Attributes = Record<number, Buffer>;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** A fake module with one token holding these objects (a unit test of the host's reading). */
function fakeModule(objects: Attributes[]) {
  let found: Buffer[] = [];
  const closed: number[] = [];
  const p11 = {
    C_GetSlotList: () => [Buffer.from([0])],
    C_GetTokenInfo: () => ({ label: 'Officer', serialNumber: 'A1', manufacturerID: '', model: '', flags: 0 }),
    C_OpenSession: () => Buffer.from([7]),
    C_CloseSession: (h: Buffer) => closed.push(h.readUInt8(0)),
    C_FindObjectsInit: (_s: Buffer, template: pkcs11js.Template) => {
      found = objects
        .map((o, i) => ({ o, i }))
        .filter(({ o }) =>
          template.every((t) => (o[t.type] ?? Buffer.alloc(0)).equals(u32(t.value as number))),
        )
        .map(({ i }) => Buffer.from([i]));
    },
    C_FindObjects: () => found,
    C_FindObjectsFinal: () => undefined,
    C_GetAttributeValue: (_s: Buffer, h: Buffer, template: { type: number }[]) => {
      const type = template[0]?.type ?? -1;
      return [{ type, value: objects[h.readUInt8(0)]?.[type] }];
    },
  };
  return { p11: p11 as unknown as P11, closed };
}

describe('listObjects', () => {
  it('reads certificates and key sizes: RSA modulus bits without leading zeros, the EC curve', () => {
    const modulus = Buffer.concat([Buffer.from([0, 0]), Buffer.alloc(256, 0xab)]);
    const { p11, closed } = fakeModule([
      {
        [pkcs11js.CKA_CLASS]: u32(pkcs11js.CKO_CERTIFICATE),
        [pkcs11js.CKA_CERTIFICATE_TYPE]: u32(pkcs11js.CKC_X_509),
        [pkcs11js.CKA_ID]: Buffer.from('0102', 'hex'),
        [pkcs11js.CKA_LABEL]: Buffer.from('Chữ ký'),
        [pkcs11js.CKA_VALUE]: Buffer.from([0x30, 0x82]),
      },
      {
        [pkcs11js.CKA_CLASS]: u32(pkcs11js.CKO_PUBLIC_KEY),
        [pkcs11js.CKA_ID]: Buffer.from('0102', 'hex'),
        [pkcs11js.CKA_LABEL]: Buffer.from('rsa'),
        [pkcs11js.CKA_KEY_TYPE]: u32(pkcs11js.CKK_RSA),
        [pkcs11js.CKA_MODULUS]: modulus,
      },
      {
        [pkcs11js.CKA_CLASS]: u32(pkcs11js.CKO_PUBLIC_KEY),
        [pkcs11js.CKA_ID]: Buffer.from('03', 'hex'),
        [pkcs11js.CKA_LABEL]: Buffer.from('ec'),
        [pkcs11js.CKA_KEY_TYPE]: u32(pkcs11js.CKK_EC),
        [pkcs11js.CKA_EC_PARAMS]: Buffer.from('06082a8648ce3d030107', 'hex'),
      },
      {
        [pkcs11js.CKA_CLASS]: u32(pkcs11js.CKO_PUBLIC_KEY),
        [pkcs11js.CKA_ID]: Buffer.from('04', 'hex'),
        [pkcs11js.CKA_LABEL]: Buffer.from('ec-unknown'),
        [pkcs11js.CKA_KEY_TYPE]: u32(pkcs11js.CKK_EC),
        [pkcs11js.CKA_EC_PARAMS]: Buffer.from('0605', 'hex'),
      },
    ]);
    expect(listObjects(p11, { label: 'Officer' })).toEqual({
      certificates: [{ id: '0102', label: 'Chữ ký', der: 'MII=' }],
      publicKeys: [
        { id: '0102', label: 'rsa', keyType: 'rsa', bits: 2048 },
        { id: '03', label: 'ec', keyType: 'ec', bits: 256, curve: '1.2.840.10045.3.1.7' },
        { id: '04', label: 'ec-unknown', keyType: 'ec', bits: 0 },
      ],
    });
    expect(closed).toEqual([7]);
  });

  it('a token that is not there: E_TOKEN_NOT_PRESENT, no session opened', () => {
    const { p11, closed } = fakeModule([]);
    expect(() => listObjects(p11, { label: 'Someone else' })).toThrow(
      expect.objectContaining({ code: 'E_TOKEN_NOT_PRESENT' }),
    );
    expect(closed).toEqual([]);
  });
});
