import { CLASSIFICATIONS } from '../../../shared/domain/classification';
import { DIRECTIONS, statusesOf } from '../../../shared/domain/document';
import type { BulkImportInput } from './worker-protocol';

/**
 * A deterministic generator of realistic bilingual bulk data, for benchmarks (100,000 messages
 * and 10,000 documents), crash tests and load trials. Same seed, same data: runs compare.
 */

const VI_SUBJECTS = [
  'Công hàm về việc cấp thị thực ngoại giao',
  'Điện báo tình hình kinh tế nước sở tại',
  'Hợp đồng thuê trụ sở Đại sứ quán',
  'Báo cáo công tác bảo hộ công dân',
  'Đề nghị hợp pháp hoá lãnh sự giấy tờ',
  'Kế hoạch đón đoàn cấp cao',
  'Thư mời dự lễ kỷ niệm Quốc khánh',
  'Biên bản làm việc với Bộ Thương mại',
];
const EN_SUBJECTS = [
  'Note verbale on diplomatic visas',
  'Cable: regional security assessment',
  'Consular letter: certificate of nationality',
  'Draft memorandum of understanding on trade',
  'Invitation to the National Day reception',
  'Minutes of the meeting with the Ministry of Trade',
  'Request for overflight clearance',
  'Agreement on the avoidance of double taxation',
];
const VI_WORDS =
  'đề nghị trân trọng hợp tác phát triển kinh tế thương mại đầu tư văn hoá giáo dục lãnh sự công dân bảo hộ thị thực hộ chiếu đoàn công tác hội đàm ký kết thoả thuận biên bản ghi nhớ Đại sứ quán Bộ Ngoại giao'.split(
    ' ',
  );
const EN_WORDS =
  'request cooperation development economic trade investment culture education consular citizen protection visa passport delegation talks signing agreement memorandum understanding embassy ministry foreign affairs'.split(
    ' ',
  );
const PARTIES = [
  'Bộ Ngoại giao — Vụ Lễ tân',
  'Cục Lãnh sự',
  'Department of Foreign Affairs and Trade',
  'Tham tán Thương mại',
  'Political Section',
  'Nguyễn Văn An',
  'Trần Thị Bình',
  'Lê Đức Cường',
  'HQ IT',
];

/** A small, fast, seedable PRNG (mulberry32): reproducible data, not security. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BulkBatchOptions {
  readonly seed: number;
  /** Index of the first document (registry numbers and dates follow it). */
  readonly start: number;
  readonly documents: number;
  /** Messages per document, in one thread linked to it. */
  readonly messagesPerDocument: number;
  /** Words per body (documents and messages). */
  readonly words?: number;
  /** Marker strings woven into subjects, bodies, parties and messages (at-rest tests). */
  readonly canaries?: { subject: string; body: string; party: string; message: string };
}

/** One batch for `bulk.import`: documents, each with a thread of messages. */
export function bulkBatch(o: BulkBatchOptions): BulkImportInput {
  const rnd = prng(o.seed * 1_000_003 + o.start);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const words = o.words ?? 40;
  const text = (n: number) => {
    const vocab = rnd() < 0.5 ? VI_WORDS : EN_WORDS;
    return Array.from({ length: n }, () => pick(vocab)).join(' ');
  };
  const documents: BulkImportInput['documents'] = [];
  const threads: BulkImportInput['threads'] = [];
  for (let i = 0; i < o.documents; i++) {
    const n = o.start + i;
    const date = new Date(Date.UTC(2020, 0, 1) + n * 3_600_000).toISOString();
    const subject = `${pick(rnd() < 0.5 ? VI_SUBJECTS : EN_SUBJECTS)} — số ${n}`;
    const direction = pick(DIRECTIONS);
    documents.push({
      registryNumber: `${date.slice(0, 4)}/B-${String(n).padStart(6, '0')}`,
      date,
      direction,
      classification: pick(CLASSIFICATIONS),
      status: pick(statusesOf(direction)),
      subject: o.canaries ? `${subject} ${o.canaries.subject}` : subject,
      from: o.canaries ? `${pick(PARTIES)} ${o.canaries.party}` : pick(PARTIES),
      to: [pick(PARTIES), pick(PARTIES)],
      body: o.canaries ? `${text(words)} ${o.canaries.body} ${text(8)}` : text(words),
    });
    if (o.messagesPerDocument > 0) {
      threads.push({
        subject,
        documentIndex: i,
        messages: Array.from({ length: o.messagesPerDocument }, (_, m) => ({
          from: pick(PARTIES),
          to: [pick(PARTIES)],
          body: o.canaries
            ? `${text(Math.ceil(words / 2))} ${o.canaries.message}`
            : text(Math.ceil(words / 2)),
          state: m === o.messagesPerDocument - 1 && rnd() < 0.1 ? ('draft' as const) : ('received' as const),
          read: rnd() < 0.7,
          at: new Date(Date.parse(date) + (m + 1) * 60_000).toISOString(),
        })),
      });
    }
  }
  return { documents, threads };
}

/** Words the benchmark searches for (they occur in the generated text). */
export const BENCH_QUERIES = [
  'hop tac',
  'thi thuc',
  'agreement',
  'consul*',
  'dai su quan',
  'memorandum understanding',
  'bao ho cong dan',
  'invest',
];
