import type { CallInput } from '../../../../shared/contract/calls';
import type { ContractError } from '../../../../shared/contract/errors';
import type { MessageInfo, ThreadSummary } from '../../../../shared/contract/vault-calls';
import type { Classification } from '../../../../shared/domain/classification';
import { isVaultGone, type Slice, type SliceDeps } from '../slice';

export interface MessagesSlice {
  threads: ThreadSummary[] | null;
  openThreadId: string | null;
  threadMessages: MessageInfo[];
  messagesError: ContractError | null;
  threadsRequested(): Promise<void>;
  threadOpened(id: string): Promise<void>;
  /** Back to "no thread open": the composer then starts a new thread. */
  threadClosed(): void;
  draftSaved(input: CallInput<'messages.add'>): Promise<boolean>;
  /** A draft's text (and marking) changed (saved in place). */
  draftEdited(id: string, body: string, classification?: Classification): Promise<boolean>;
  draftDeleted(id: string): Promise<void>;
}

export const emptyMessages = {
  threads: null,
  openThreadId: null,
  threadMessages: [],
  messagesError: null,
} satisfies Partial<MessagesSlice>;

export const messagesSlice =
  ({ client }: SliceDeps): Slice<MessagesSlice> =>
  (set, get) => ({
    ...emptyMessages,
    async threadsRequested() {
      const result = await client.call('messages.threads', { limit: 200 });
      if (result.ok) set({ threads: result.value.items, messagesError: null });
      else if (isVaultGone(result.error)) get().vaultGone();
      else set({ messagesError: result.error });
    },
    async threadOpened(id) {
      set({ openThreadId: id });
      const result = await client.call('messages.list', { threadId: id });
      if (!result.ok) {
        if (isVaultGone(result.error)) get().vaultGone();
        else set({ messagesError: result.error });
        return;
      }
      set({ threadMessages: result.value.items, messagesError: null });
      const unread = result.value.items.filter((m) => !m.read).map((m) => m.id);
      if (unread.length) {
        await client.call('messages.markRead', { ids: unread, read: true });
        void get().threadsRequested();
      }
    },
    threadClosed() {
      set({ openThreadId: null, threadMessages: [] });
    },
    async draftSaved(input) {
      const result = await client.call('messages.add', input);
      if (!result.ok) {
        set({ messagesError: result.error });
        return false;
      }
      await get().threadsRequested();
      await get().threadOpened(result.value.threadId);
      return true;
    },
    async draftEdited(id, body, classification) {
      const result = await client.call('messages.updateDraft', {
        id,
        body,
        ...(classification ? { classification } : {}),
      });
      if (!result.ok) {
        if (isVaultGone(result.error)) get().vaultGone();
        else set({ messagesError: result.error });
        return false;
      }
      await get().threadOpened(result.value.threadId);
      return true;
    },
    async draftDeleted(id) {
      const thread = get().openThreadId;
      const result = await client.call('messages.deleteDraft', { id });
      if (!result.ok) {
        if (isVaultGone(result.error)) get().vaultGone();
        else set({ messagesError: result.error });
        return;
      }
      await get().threadsRequested();
      const still = get().threads?.some((th) => th.id === thread);
      if (thread && still) await get().threadOpened(thread);
      else get().threadClosed();
    },
  });
