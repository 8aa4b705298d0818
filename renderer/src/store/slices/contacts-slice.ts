import type { ContactDetails } from '../../../../shared/contract/contact-calls';
import type { ContractError } from '../../../../shared/contract/errors';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';

/**
 * The contact the officer opened: their certified devices, the pair's safety number and the
 * "verified" mark. "Mark verified" sends the number on screen, so the core marks exactly what
 * the officer compared (a number that changed meanwhile is refused and the card reloads).
 */
export interface ContactsSlice {
  contact: ContactDetails | null;
  contactError: ContractError | null;
  contactBusy: boolean;
  contactOpened(address: string): Promise<void>;
  /** A sync round changed the directory: reload the open contact (its mark may be gone). */
  contactRefreshed(): Promise<void>;
  contactVerifyRequested(): Promise<void>;
  contactUnverifyRequested(): Promise<void>;
  contactClosed(): void;
}

export const emptyContacts = {
  contact: null,
  contactError: null,
  contactBusy: false,
} satisfies Partial<ContactsSlice>;

export const contactsSlice =
  ({ client }: SliceDeps): Slice<ContactsSlice> =>
  (set, get) => {
    /** Latest request wins: an answer for a contact no longer open is dropped. */
    let ticket = 0;
    const settle = (
      mine: number,
      result: { ok: true; value: ContactDetails } | { ok: false; error: ContractError },
    ) => {
      if (mine !== ticket) return;
      if (result.ok) set({ contact: result.value, contactError: null, contactBusy: false });
      else if (isVaultGone(result.error)) get().vaultGone();
      else set({ contactError: result.error, contactBusy: false });
    };
    return {
      ...emptyContacts,
      async contactOpened(address) {
        const mine = ++ticket;
        set({ contactBusy: true, contactError: null });
        settle(mine, await client.call('contact.show', { address }));
      },
      async contactRefreshed() {
        const c = get().contact;
        if (!c || get().contactBusy) return;
        const mine = ++ticket;
        settle(mine, await client.call('contact.show', { address: c.address }));
      },
      async contactVerifyRequested() {
        const c = get().contact;
        if (!c) return;
        const mine = ++ticket;
        set({ contactBusy: true, contactError: null });
        const result = await client.call('contact.verify', {
          address: c.address,
          safetyNumber: c.safetyNumber,
        });
        if (!result.ok && mine === ticket && !isVaultGone(result.error)) {
          // The number moved under the officer's eyes: show the new one with the error.
          const fresh = await client.call('contact.show', { address: c.address });
          if (mine !== ticket) return;
          set({
            contact: fresh.ok ? fresh.value : c,
            contactError: result.error,
            contactBusy: false,
          });
          return;
        }
        settle(mine, result);
      },
      async contactUnverifyRequested() {
        const c = get().contact;
        if (!c) return;
        const mine = ++ticket;
        set({ contactBusy: true, contactError: null });
        settle(mine, await client.call('contact.unverify', { address: c.address }));
      },
      contactClosed() {
        ticket++;
        set(emptyContacts);
      },
    };
  };
