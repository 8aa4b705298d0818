import type { EnrolmentCertification } from '../../../../shared/sync/relay-protocol';

/** The enrolment request (`EnrollRequest.request`) for a certification: base64 of its UTF-8 JSON. */
export function encodeEnrolmentCertification(certification: EnrolmentCertification): string {
  return Buffer.from(JSON.stringify(certification), 'utf8').toString('base64');
}
