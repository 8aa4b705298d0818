import type { BulkImportInput } from './worker-protocol';
import type { VaultService } from './vault-service';
import { renderPdf } from './sample-pdf';

/**
 * A realistic bilingual working set for a new workstation (the "load sample data" action):
 * notes verbales, consular letters, cables and internal memos, in Vietnamese with full
 * diacritics and in English, with message threads about them and a few PDF attachments.
 * Every name and number is fictitious.
 */

const MISSION = 'Đại sứ quán Việt Nam tại Canberra';
const HQ = 'Bộ Ngoại giao — Vụ Lễ tân';
const CONSULAR = 'Cục Lãnh sự';

function day(offset: number): string {
  const d = new Date(Date.UTC(2025, 2, 3, 9, 30));
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString();
}

export const SAMPLE_DOCUMENTS: BulkImportInput['documents'] = [
  {
    kind: 'official-letter',
    date: day(0),
    direction: 'outgoing',
    classification: 'unclassified',
    status: 'sent',
    subject: 'Công hàm đề nghị cấp thị thực ngoại giao cho đoàn công tác của Bộ Ngoại giao',
    from: MISSION,
    to: ['Department of Foreign Affairs and Trade — Protocol Branch'],
    body:
      'Đại sứ quán nước Cộng hoà xã hội chủ nghĩa Việt Nam gửi lời chào trân trọng tới Bộ Ngoại giao và Thương mại ' +
      'Australia và trân trọng đề nghị Quý Bộ cấp thị thực ngoại giao cho đoàn công tác gồm 05 thành viên, ' +
      'dự kiến nhập cảnh ngày 20 tháng 3 năm 2025 để tham dự phiên họp Uỷ ban hỗn hợp về hợp tác kinh tế.',
  },
  {
    kind: 'note-verbale',
    date: day(1),
    direction: 'outgoing',
    classification: 'unclassified',
    status: 'acknowledged',
    subject: 'Note verbale: request for diplomatic visas for the economic cooperation delegation',
    from: MISSION,
    to: ['Department of Foreign Affairs and Trade — Protocol Branch'],
    body:
      'The Embassy of the Socialist Republic of Viet Nam presents its compliments to the Department of Foreign ' +
      'Affairs and Trade and has the honour to request diplomatic visas for a delegation of five members ' +
      'attending the Joint Economic Committee. The Embassy avails itself of this opportunity to renew to the ' +
      'Department the assurances of its highest consideration.',
  },
  {
    kind: 'cable',
    date: day(2),
    direction: 'incoming',
    classification: 'confidential',
    status: 'being-handled',
    subject: 'Điện báo: chuẩn bị nội dung hội đàm về hợp đồng mua bán gạo liên chính phủ',
    from: HQ,
    to: [MISSION],
    body:
      'Đề nghị Đại sứ quán chuẩn bị báo cáo đánh giá về tiến độ đàm phán hợp đồng mua bán gạo liên chính phủ, ' +
      'các điều khoản về giá, giao hàng và thanh toán; gửi về Bộ trước ngày 15 tháng 3.',
  },
  {
    kind: 'consular-letter',
    date: day(3),
    direction: 'incoming',
    classification: 'unclassified',
    status: 'registered',
    subject: 'Đơn đề nghị hợp pháp hoá lãnh sự giấy khai sinh — công dân Nguyễn Thị Hồng Đào',
    from: 'Nguyễn Thị Hồng Đào',
    to: [CONSULAR],
    body:
      'Kính gửi Phòng Lãnh sự, tôi là Nguyễn Thị Hồng Đào, đề nghị hợp pháp hoá lãnh sự bản sao giấy khai sinh ' +
      'để nộp hồ sơ đăng ký kết hôn tại Đà Nẵng. Xin trân trọng cảm ơn.',
  },
  {
    kind: 'consular-letter',
    date: day(4),
    direction: 'outgoing',
    classification: 'unclassified',
    status: 'signed',
    subject: 'Consular letter: certificate of nationality for Mr Trần Đức Minh',
    from: 'Consular Section, Embassy of Viet Nam',
    to: ['Mr Trần Đức Minh'],
    body:
      'This is to certify that Mr Trần Đức Minh, born 12 May 1990 in Hà Nội, holder of passport C1234567, ' +
      'is a citizen of the Socialist Republic of Viet Nam. This letter is issued at his request for the ' +
      'purpose of a residence application.',
  },
  {
    kind: 'cable',
    date: day(5),
    direction: 'incoming',
    classification: 'secret',
    status: 'being-handled',
    subject: 'Cable: assessment of regional maritime security dialogue, round three',
    from: 'Ministry of Foreign Affairs — Department of Southeast Asia and South Pacific',
    to: [MISSION],
    body:
      'Summary of the third round of the regional maritime security dialogue; positions of the parties on ' +
      'freedom of navigation and the code of conduct; instructions for the Ambassador’s call on the Deputy ' +
      'Secretary. Handle according to the Secret marking.',
  },
  {
    kind: 'report',
    date: day(6),
    direction: 'internal',
    classification: 'unclassified',
    status: 'draft',
    subject: 'Tờ trình: kế hoạch tổ chức lễ kỷ niệm Quốc khánh 2/9 tại Canberra',
    from: 'Bộ phận Văn hoá — Báo chí',
    to: ['Đại sứ', 'Tham tán Công sứ'],
    body:
      'Trình Đại sứ kế hoạch tổ chức tiệc chiêu đãi kỷ niệm Quốc khánh, dự kiến 250 khách mời, kinh phí ' +
      'và phân công nhiệm vụ cho các bộ phận. Đề nghị duyệt danh sách khách mời trước ngày 1 tháng 8.',
  },
  {
    kind: 'note-verbale',
    date: day(7),
    direction: 'incoming',
    classification: 'unclassified',
    status: 'done',
    subject: 'Note verbale from DFAT: accreditation of the new Defence Attaché',
    from: 'Department of Foreign Affairs and Trade — Protocol Branch',
    to: [MISSION],
    body:
      'The Department of Foreign Affairs and Trade presents its compliments to the Embassy and has the honour ' +
      'to inform that the accreditation of Colonel Phạm Quốc Hùng as Defence Attaché has been approved.',
  },
  {
    kind: 'cable',
    date: day(8),
    direction: 'outgoing',
    classification: 'top-secret',
    status: 'signed',
    subject: 'Điện mật: báo cáo tiếp xúc với Thứ trưởng Bộ Quốc phòng nước sở tại',
    from: 'Đại sứ',
    to: ['Bộ trưởng Bộ Ngoại giao'],
    body:
      'Báo cáo nội dung tiếp xúc ngày 10 tháng 3 với Thứ trưởng Bộ Quốc phòng về hợp tác đào tạo và tìm kiếm ' +
      'cứu nạn trên biển. Đề xuất các bước tiếp theo. Tài liệu Tuyệt mật, không sao chụp.',
  },
  {
    kind: 'official-letter',
    date: day(9),
    direction: 'outgoing',
    classification: 'confidential',
    status: 'in-review',
    subject: 'Draft memorandum of understanding on education cooperation — comments',
    from: MISSION,
    to: ['Ministry of Education and Training', HQ],
    body:
      'Comments of the Embassy on the draft memorandum of understanding: scholarship quotas, mutual recognition ' +
      'of degrees, and the signing ceremony during the Minister’s visit. The draft agreement should be signed ' +
      'by both parties before the end of the second quarter.',
  },
  {
    kind: 'consular-letter',
    date: day(10),
    direction: 'internal',
    classification: 'unclassified',
    status: 'signed',
    subject: 'Báo cáo công tác bảo hộ công dân tháng 3: vụ việc ngư dân bị tạm giữ',
    from: CONSULAR,
    to: ['Đại sứ'],
    body:
      'Tổng hợp công tác bảo hộ công dân trong tháng: 12 vụ việc, trong đó vụ 04 ngư dân bị tạm giữ tại cảng ' +
      'Darwin đã được giải quyết; đề nghị tiếp tục phối hợp với cơ quan chức năng nước sở tại.',
  },
  {
    kind: 'note-verbale',
    date: day(11),
    direction: 'outgoing',
    classification: 'unclassified',
    status: 'draft',
    subject: 'Note verbale: notification of the National Day reception, 2 September',
    from: MISSION,
    to: ['Diplomatic Corps, Canberra'],
    body:
      'The Embassy has the honour to invite the Heads of Mission to a reception on the occasion of the ' +
      'National Day of the Socialist Republic of Viet Nam.',
  },
];

export const SAMPLE_THREADS: BulkImportInput['threads'] = [
  {
    subject: 'Thị thực cho đoàn Uỷ ban hỗn hợp',
    documentIndex: 0,
    messages: [
      {
        from: 'Lê Văn Đức (Lễ tân)',
        to: ['Phòng Lãnh sự'],
        body: 'Đã gửi công hàm đề nghị cấp thị thực. Nhờ anh chị theo dõi phản hồi của phía bạn.',
        state: 'sent',
        read: true,
        at: day(0),
      },
      {
        from: 'DFAT Protocol',
        to: ['Embassy of Viet Nam'],
        body: 'Visas for the delegation will be issued by Friday. Please confirm flight details.',
        state: 'received',
        read: false,
        at: day(2),
      },
      {
        from: 'Phòng Lãnh sự',
        to: ['Lê Văn Đức (Lễ tân)'],
        body: 'Phía bạn đã xác nhận; đề nghị gửi lịch bay của đoàn trước thứ Năm.',
        state: 'received',
        read: false,
        at: day(2),
      },
    ],
  },
  {
    subject: 'Hợp đồng gạo liên chính phủ — số liệu',
    documentIndex: 2,
    messages: [
      {
        from: 'Vụ Thị trường châu Á — châu Phi',
        to: ['Tham tán Thương mại'],
        body: 'Gửi kèm số liệu xuất khẩu gạo quý I. Lưu ý điều khoản điều chỉnh giá trong hợp đồng.',
        state: 'received',
        read: true,
        at: day(2),
      },
      {
        from: 'Tham tán Thương mại',
        to: ['Vụ Thị trường châu Á — châu Phi'],
        body: 'Đã nhận. Chúng tôi sẽ hoàn thiện báo cáo đánh giá trước ngày 14.',
        state: 'sent',
        read: true,
        at: day(3),
      },
    ],
  },
  {
    subject: 'Legalisation request — Ms Nguyễn Thị Hồng Đào',
    documentIndex: 3,
    messages: [
      {
        from: 'Consular officer',
        to: ['Nguyễn Thị Hồng Đào'],
        body: 'Your documents were received. Please bring the original birth certificate on Tuesday.',
        state: 'sent',
        read: true,
        at: day(4),
      },
    ],
  },
  {
    subject: 'Maritime dialogue: talking points for the Ambassador',
    documentIndex: 5,
    messages: [
      {
        from: 'Political Section',
        to: ['Ambassador'],
        body: 'Draft talking points attached to the cable. The Deputy Secretary meeting is confirmed for Monday.',
        state: 'sent',
        read: true,
        at: day(5),
      },
      {
        from: 'Ambassador',
        to: ['Political Section'],
        body: 'Please add a paragraph on search and rescue cooperation and the signing of the new agreement.',
        state: 'received',
        read: false,
        at: day(6),
      },
    ],
  },
  {
    subject: 'Lễ kỷ niệm Quốc khánh — danh sách khách mời',
    documentIndex: 6,
    messages: [
      {
        from: 'Bộ phận Văn hoá — Báo chí',
        to: ['Tham tán Công sứ'],
        body: 'Dự thảo danh sách 250 khách mời đã sẵn sàng; đề nghị bổ sung đại diện cộng đồng người Việt.',
        state: 'received',
        read: false,
        at: day(7),
      },
      {
        from: 'Tham tán Công sứ',
        to: ['Bộ phận Văn hoá — Báo chí'],
        body: 'Đồng ý. Thêm Hội doanh nhân Việt Nam tại Úc và các giáo sư đại học.',
        state: 'draft',
        read: true,
        at: day(8),
      },
    ],
  },
  {
    subject: 'IT: token renewal for consular staff',
    messages: [
      {
        from: 'HQ IT',
        to: ['All consular staff'],
        body: 'Signing certificates on USB tokens expire in June. Renewal sessions will be scheduled by video call.',
        state: 'received',
        read: false,
        at: day(9),
      },
    ],
  },
];

/** Small PDF attachments (English text: the standard PDF fonts have no Vietnamese glyphs). */
export const SAMPLE_PDFS: readonly { documentIndex: number; name: string; lines: readonly string[] }[] = [
  {
    documentIndex: 1,
    name: 'note-verbale-visas.pdf',
    lines: [
      'Embassy of the Socialist Republic of Viet Nam',
      'Note verbale No. 31/2025',
      'Request for diplomatic visas: Joint Economic Committee delegation',
      'The Embassy avails itself of this opportunity to renew its highest consideration.',
    ],
  },
  {
    documentIndex: 4,
    name: 'certificate-of-nationality.pdf',
    lines: [
      'Consular Section, Embassy of Viet Nam',
      'Certificate of nationality',
      'Holder: Tran Duc Minh, passport C1234567',
      'Issued for a residence application.',
    ],
  },
  {
    documentIndex: 9,
    name: 'mou-education-draft.pdf',
    lines: [
      'Memorandum of Understanding on Education Cooperation (draft 3)',
      'Article 4: scholarships and mutual recognition of degrees',
      'Article 9: entry into force upon signature by both parties',
    ],
  },
];

/** Loads the sample set into the unlocked vault; answers what was added. */
export async function loadSampleData(
  vault: VaultService,
): Promise<{ documents: number; messages: number; attachments: number }> {
  const imported = await vault.run('bulk.import', { documents: SAMPLE_DOCUMENTS, threads: SAMPLE_THREADS });
  let attachments = 0;
  for (const pdf of SAMPLE_PDFS) {
    const documentId = imported.documentIds[pdf.documentIndex];
    if (!documentId) continue;
    const bytes = renderPdf(pdf.lines);
    const own = new Uint8Array(bytes);
    await vault.run(
      'attachments.add',
      { documentId, source: { kind: 'bytes', bytes: own }, name: pdf.name, mediaType: 'application/pdf' },
      [own.buffer],
    );
    attachments++;
  }
  return { documents: imported.documentIds.length, messages: imported.messageIds.length, attachments };
}
