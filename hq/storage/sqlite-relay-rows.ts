import type { DeviceStatus, MailState } from '../../shared/sync/relay-protocol';
import type { DeviceRecord, MailItem, PrekeyRecord } from './relay-store';

/** The SQLite relay store's rows as they come from the database, and their records. */

export interface DeviceRow {
  id: string;
  status: DeviceStatus;
  sign_public_key: string;
  box_public_key: string;
  enrolment_request: string;
  created_at: number;
  updated_at: number;
  officer_address: string | null;
  officer_name: string | null;
  officer_department: string | null;
  certificate_fingerprint: string | null;
  approved_by_ca: string | null;
}

export interface PrekeyRow {
  device: string;
  prekey_id: string;
  public_key: string;
  created_at: number;
  signature: string;
}

export interface ItemRow {
  id: string;
  recipient: string;
  sender: string;
  envelope_id: string;
  size: number;
  sha256: string;
  state: MailState;
  received: number;
  cursor: number | null;
  created_at: number;
}

export function toDevice(r: DeviceRow): DeviceRecord {
  const certified =
    r.officer_address !== null &&
    r.officer_name !== null &&
    r.officer_department !== null &&
    r.certificate_fingerprint !== null;
  return {
    id: r.id,
    status: r.status,
    signPublicKey: r.sign_public_key,
    boxPublicKey: r.box_public_key,
    enrolmentRequest: r.enrolment_request,
    ...(certified
      ? {
          officer: {
            address: r.officer_address as string,
            name: r.officer_name as string,
            department: r.officer_department as string,
            certificateFingerprint: r.certificate_fingerprint as string,
          },
        }
      : {}),
    ...(r.approved_by_ca !== null ? { approvedByCa: r.approved_by_ca } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function toPrekey(r: PrekeyRow): PrekeyRecord {
  return { prekeyId: r.prekey_id, publicKey: r.public_key, createdAt: r.created_at, signature: r.signature };
}

export function toItem(r: ItemRow): MailItem {
  return {
    id: r.id,
    recipient: r.recipient,
    sender: r.sender,
    envelopeId: r.envelope_id,
    size: r.size,
    sha256: r.sha256,
    state: r.state,
    offset: r.received,
    cursor: r.cursor ?? 0,
    createdAt: r.created_at,
  };
}
