import type { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCertificates } from './certificates';
import type { TrustSettings } from './verify';

/**
 * Where trust comes from: the pinned anchors shipped in `resources/trust-anchors/` (pushed by
 * IT), plus anchors, intermediates and cached CRLs given by the caller (CLI `--trust`, tests).
 */
export interface TrustSources {
  /** Folder of pinned anchors; default: the app's `resources/trust-anchors`. */
  readonly anchorsDir?: string;
  readonly anchorFiles?: readonly string[];
  readonly anchors?: readonly X509Certificate[];
  readonly intermediateFiles?: readonly string[];
  readonly crlFiles?: readonly string[];
  /** Certificate policy OIDs a signer's path must carry one of (CLI `--policy`). */
  readonly requiredPolicies?: readonly string[];
}

/** The shipped `resources/trust-anchors` folder, from source or from a bundle in dist/<name>/. */
export function defaultAnchorsDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'resources', 'trust-anchors');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export async function loadTrust(sources: TrustSources): Promise<TrustSettings> {
  const dir = sources.anchorsDir ?? defaultAnchorsDir();
  const anchors = [...(dir ? await loadCertificatesFromDir(dir) : []), ...(sources.anchors ?? [])];
  for (const f of sources.anchorFiles ?? []) anchors.push(...parseCertificates(await readFile(f)));
  const intermediates: X509Certificate[] = [];
  for (const f of sources.intermediateFiles ?? [])
    intermediates.push(...parseCertificates(await readFile(f)));
  const crls: Uint8Array[] = [];
  for (const f of sources.crlFiles ?? []) {
    const data = await readFile(f);
    const text = data.subarray(0, 32).toString('latin1');
    crls.push(
      text.includes('-----BEGIN')
        ? Buffer.from(
            data
              .toString('latin1')
              .replace(/-----[^-]+-----/g, '')
              .replace(/\s+/g, ''),
            'base64',
          )
        : data,
    );
  }
  const policies = sources.requiredPolicies ?? [];
  return { anchors, intermediates, crls, ...(policies.length > 0 ? { requiredPolicies: policies } : {}) };
}

/** Loads trust anchors (PEM or DER files) from a folder such as resources/trust-anchors. */
export async function loadCertificatesFromDir(dir: string): Promise<X509Certificate[]> {
  if (!existsSync(dir)) return [];
  const out: X509Certificate[] = [];
  for (const f of (await readdir(dir)).sort()) {
    if (!/\.(pem|crt|cer|der)$/i.test(f)) continue;
    out.push(...parseCertificates(await readFile(join(dir, f))));
  }
  return out;
}
