import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  enrolmentMessage,
  EnrollRequest,
  RelayErrorCode,
  type EnrollResponse,
} from '../../shared/sync/relay-protocol';
import { deviceIdOf as deviceIdFromKey } from '../../shared/sync/device-id';
import { loadCrls, verifyEnrolmentCertification } from './enrolment-certification';
import { readJson, sendJson } from './http-io';
import type { RelayContext } from './relay-context';
import { RelayError } from './relay-error';

/** A device's id from its Ed25519 public key (the rule: shared/sync/device-id.ts). */
export function deviceIdOf(signPublicKey: Uint8Array): string {
  return deviceIdFromKey(signPublicKey, (bytes) => createHash('sha256').update(bytes).digest());
}

/**
 * `POST /v1/enroll`: a device asks to join, its keys certified by the officer's token. A device
 * whose chain ends at a trusted CA is approved at once; any other waits for HQ. Enrolling the
 * same keys again answers the recorded status; other keys under the same signing key conflict.
 */
export async function enroll(ctx: RelayContext, req: IncomingMessage, res: ServerResponse) {
  ctx.guards.enrolment(req);
  const body = await readJson(req, EnrollRequest, ctx.limits.maxJsonBytes);
  const signPk = Buffer.from(body.signPublicKey, 'base64');
  const boxPk = Buffer.from(body.boxPublicKey, 'base64');
  ctx.guards.enrolmentOf(req, deviceIdOf(signPk));
  // The officer's token certifies these device keys: chain, validity, key usage, revocation,
  // token signature. The CRL folder is read again here so that a new CRL applies at once.
  let crls: Uint8Array<ArrayBuffer>[];
  try {
    crls = loadCrls(ctx.dataDir);
  } catch (e) {
    ctx.log(`error: enrolment refused, the CRL folder cannot be read: ${(e as Error).message}`);
    throw new RelayError(500, RelayErrorCode.Internal, 'the relay cannot read its revocation lists');
  }
  const certified = verifyEnrolmentCertification(
    body.request,
    signPk,
    boxPk,
    ctx.trustedCas,
    Date.now(),
    crls,
  );
  const request = Buffer.from(body.request, 'base64');
  const proof = Buffer.from(body.proof, 'base64');
  if (!ctx.sodium.crypto_sign_verify_detached(proof, enrolmentMessage(signPk, boxPk, request), signPk)) {
    throw new RelayError(401, RelayErrorCode.BadSignature, 'the enrolment proof does not verify');
  }
  const id = deviceIdOf(signPk);
  // Anyone may ask (a self-signed certificate enrols as pending): the queue HQ must decide on
  // is bounded, and a device already enrolled is answered as before.
  if (!certified.trustedBy && (await ctx.store.getDevice(id)) === undefined) {
    if ((await ctx.store.countDevices('pending')) >= ctx.limits.maxPendingEnrolments) {
      ctx.log('refused: enrolment, the pending queue is full');
      throw new RelayError(503, RelayErrorCode.Busy, 'too many devices await approval; retry later', {
        'retry-after': '3600',
      });
    }
  }
  const { created, device } = await ctx.store.enrolDevice(
    {
      id,
      signPublicKey: body.signPublicKey,
      boxPublicKey: body.boxPublicKey,
      enrolmentRequest: body.request,
      officer: certified.officer,
      status: certified.trustedBy ? 'approved' : 'pending',
      ...(certified.trustedBy ? { approvedByCa: certified.trustedBy } : {}),
    },
    Date.now(),
  );
  if (created && certified.trustedBy) {
    ctx.log(`audit: device ${id} auto-approved by CA ${certified.trustedBy}`);
  }
  if (!created) {
    if (device.status === 'revoked') {
      throw new RelayError(403, RelayErrorCode.DeviceRevoked, 'this device was revoked; enrol new keys');
    }
    if (device.boxPublicKey !== body.boxPublicKey || device.enrolmentRequest !== body.request) {
      throw new RelayError(
        409,
        RelayErrorCode.DeviceConflict,
        'this signing key is enrolled with other keys',
      );
    }
  }
  sendJson(res, created ? 201 : 200, { deviceId: id, status: device.status } satisfies EnrollResponse);
}
