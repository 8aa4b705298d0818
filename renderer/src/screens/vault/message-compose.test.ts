import { describe, expect, it } from 'vitest';
import type { MessageInfo } from '../../../../shared/contract/vault-calls';
import { addressOf, filesProblem, forwardStart, replyStart } from './message-compose';

const msg = (over: Partial<MessageInfo>): MessageInfo => ({
  id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  threadId: '01JABCDEFGHJKMNPQRSTVWXYZ1',
  documentId: null,
  from: 'Alice Mission <alice@mission.example>',
  to: ['bob@hq.example'],
  body: 'Xin chào',
  state: 'sent',
  read: true,
  classification: 'unclassified',
  files: [],
  at: '2026-12-02T10:00:00.000Z',
  ...over,
});

describe('reply and forward in Messages', () => {
  it('reads the address out of a party', () => {
    expect(addressOf('Bob HQ <bob@hq.example>')).toBe('bob@hq.example');
    expect(addressOf('bob@hq.example')).toBe('bob@hq.example');
  });

  it('replies to the newest sender who is not me, under the thread subject', () => {
    const thread = [
      msg({ state: 'received', from: 'Bob HQ <bob@hq.example>', to: ['alice@mission.example'] }),
      msg({ state: 'received', from: 'Carol <carol@hq.example>', to: ['alice@mission.example'] }),
      msg({ state: 'sent' }),
    ];
    expect(replyStart('Lịch họp', thread)).toEqual({
      to: ['carol@hq.example'],
      title: 'Lịch họp',
      text: '',
      classification: 'unclassified',
    });
    // A thread of my own sends only: the reply goes to whom I wrote.
    expect(replyStart('Lịch họp', [msg({})]).to).toEqual(['bob@hq.example']);
  });

  it('forwards the newest message quoted, to recipients the officer picks', () => {
    const start = forwardStart('Lịch họp', [msg({ body: 'Họp lúc 9 giờ' })], 'Fwd:');
    expect(start.to).toEqual([]);
    expect(start.title).toBe('Fwd: Lịch họp');
    expect(start.text).toContain('Họp lúc 9 giờ');
    expect(start.text).toContain('Alice Mission <alice@mission.example>');
  });

  it("a reply starts at the thread's highest marking, a forward at the quoted message's", () => {
    const thread = [
      msg({ classification: 'secret', state: 'received' }),
      msg({ classification: 'confidential' }),
    ];
    expect(replyStart('Mật', thread).classification).toBe('secret');
    expect(forwardStart('Mật', thread, 'Fwd:').classification).toBe('confidential');
  });

  it("a forward carries the quoted message's files; files are checked for count and size", () => {
    const file = { id: '01JABCDEFGHJKMNPQRSTVWXYZ2', name: 'a.pdf', mediaType: 'application/pdf', size: 10 };
    expect(forwardStart('S', [msg({ files: [file] })], 'Fwd:').files).toEqual([file]);
    expect(filesProblem([file])).toBeNull();
    expect(filesProblem(Array.from({ length: 11 }, () => file))).toEqual({ key: 'TooMany' });
    expect(filesProblem([file, { name: 'big.tif', size: 2 * 1024 * 1024 + 1 }])).toEqual({
      key: 'TooLarge',
      name: 'big.tif',
    });
  });
});
