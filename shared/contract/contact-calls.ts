import { z } from 'zod';
import type { ContactCallName } from './contact-call-names';
import { Hex } from './field-schemas';
import { VouchingCertificate } from './sync-calls';

/**
 * Contacts (issue 12 item 4): who a colleague's workstations are, as their token certificates
 * prove them, and the safety number the two officers compare (docs/protocols/safety-number-v1.md)
 * before marking each other verified.
 */

const Address = z.string().min(1).max(254);
/** 60 digits: the pair's safety number. */
export const SafetyDigits = z.string().regex(/^\d{60}$/, '60 digits');

export const ContactDevice = z
  .object({
    deviceId: Hex(16),
    status: z.enum(['approved', 'revoked']),
    /** The token certificate that certified this device's keys. */
    certificate: VouchingCertificate,
  })
  .strict();

export const ContactVerification = z.discriminatedUnion('state', [
  z.object({ state: z.literal('unverified') }).strict(),
  z.object({ state: z.literal('verified'), verifiedAt: z.number().int().nonnegative() }).strict(),
  /** Was verified; the safety number changed since (a device, key or certificate of either side). */
  z
    .object({
      state: z.literal('changed'),
      verifiedAt: z.number().int().nonnegative(),
      lostAt: z.number().int().nonnegative(),
    })
    .strict(),
]);
export type ContactVerification = z.infer<typeof ContactVerification>;

export const ContactDetails = z
  .object({
    address: Address,
    /** From the officer's token certificate. */
    name: z.string().max(128),
    department: z.string().max(128),
    devices: z.array(ContactDevice).max(64),
    /** This workstation's officer (the other side of the number). */
    me: Address,
    safetyNumber: SafetyDigits,
    /** The text the QR code carries: `EMBASSY-SN1:` and the 60 digits. */
    safetyQr: z.string().max(80),
    verification: ContactVerification,
  })
  .strict();
export type ContactDetails = z.infer<typeof ContactDetails>;

const ContactRef = z.object({ address: Address }).strict();

export const contactContract = {
  /** A colleague's certified devices and the pair's safety number (from the stored directory). */
  'contact.show': { input: ContactRef, output: ContactDetails },
  /**
   * Marks the contact verified for exactly the number the officer compared: a number that is no
   * longer current is E_SYNC_SAFETY_NUMBER_CHANGED and marks nothing.
   */
  'contact.verify': {
    input: z.object({ address: Address, safetyNumber: SafetyDigits }).strict(),
    output: ContactDetails,
  },
  /** Removes the mark. */
  'contact.unverify': { input: ContactRef, output: ContactDetails },
} as const satisfies Record<ContactCallName, { input: z.ZodType; output: z.ZodType }>;
