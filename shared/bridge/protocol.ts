import { z } from 'zod';

/**
 * The loopback bridge's wire format (development and tests only). One JSON text frame per
 * request and per response; `id` pairs them. The per-run token is presented once, in the
 * WebSocket upgrade (`Sec-WebSocket-Protocol: embassy.v1, token.<hex>`), never in a frame.
 */
export const BRIDGE_PROTOCOL = 'embassy.v1';
export const BRIDGE_TOKEN_PREFIX = 'token.';
/** Largest frame the bridge reads; larger ones are answered E_PAYLOAD_TOO_LARGE. */
export const BRIDGE_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export const BridgeRequest = z
  .object({
    id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    call: z.string().max(128),
    input: z.unknown(),
  })
  .strict();
export type BridgeRequest = z.infer<typeof BridgeRequest>;

export interface BridgeResponse {
  /** The request's id, or null when the frame was too broken to carry one. */
  readonly id: number | null;
  readonly result:
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };
}
