/** The contact calls' names, zod-free (the preload bundles this list). */
export const CONTACT_CALL_NAMES = ['contact.show', 'contact.verify', 'contact.unverify'] as const;

export type ContactCallName = (typeof CONTACT_CALL_NAMES)[number];
