import { describe, expect, it } from 'vitest';
import { approvalContent } from './approval-content';
import { withVerifiedApprovals, type ApprovalVerifier } from './vault-handlers';
import type { WorkerOutput } from './worker-protocol';

const meta = {
  registryNumber: '1/2026/NV',
  direction: 'outgoing' as const,
  kind: 'note-verbale' as const,
  date: '2026-01-01',
  classification: 'unclassified' as const,
  subject: 'S',
  from: '',
  to: [],
};

function detail(content: string): WorkerOutput<'documents.get'> {
  return {
    document: {
      id: 'doc-a',
      registryNumber: '1/2026/NV',
      date: '2026-01-01',
      direction: 'outgoing',
      kind: 'note-verbale',
      classification: 'unclassified',
      status: 'approved',
      subject: 'S',
      from: '',
      to: [],
      attachmentCount: 0,
      unreadMessages: 0,
      unread: false,
      archived: false,
      version: 2,
      updatedAt: '2026-01-01',
    },
    versions: [],
    history: [
      {
        at: 't',
        actor: 'A',
        kind: 'status',
        from: 'in-review',
        to: 'approved',
        cause: 'officer',
        version: 2,
      },
    ],
    approvals: [{ event: 0, content, signature: new Uint8Array([1]) }],
    attachments: [],
    messages: [],
  };
}

// A verifier that accepts any signature: what is left to check is what the signature is over.
const anySignature: ApprovalVerifier = async () => ({ signer: 'Approver', verdict: 'valid' });

describe('an approval shown in a history', () => {
  it('is valid when its signed encoding names this document and the version the entry approved', async () => {
    const content = approvalContent({ documentId: 'doc-a', version: 2, meta, body: '', attachments: [] });
    const shown = await withVerifiedApprovals(detail(content), anySignature);
    expect(shown.history[0]?.approval).toEqual({ signer: 'Approver', verdict: 'valid' });
    expect('approvals' in shown).toBe(false);
  });

  it('is invalid when a valid signature was moved from another document or another version', async () => {
    for (const [documentId, version] of [
      ['doc-b', 2],
      ['doc-a', 1],
    ] as const) {
      const content = approvalContent({ documentId, version, meta, body: '', attachments: [] });
      const shown = await withVerifiedApprovals(detail(content), anySignature);
      expect(shown.history[0]?.approval?.verdict).toBe('invalid');
    }
  });
});
