import type { SearchHit } from '../../../../shared/contract/vault-calls';
import { EXIT, reportError, type CliCommand } from '../cli-command';
import { call, readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/** `embassy vault search`: full-text search of the vault; `--json` prints [{id, title, snippet…}]. */
export const vaultSearchCommand: CliCommand = {
  name: 'vault search',
  summary: 'search the encrypted cache (diacritics optional, last word as a prefix)',
  usage: 'embassy vault search --profile DIR --pin-stdin QUERY [--limit N] [--json]',
  options: {
    profile: { type: 'string' },
    'pin-stdin': { type: 'boolean', default: false },
    limit: { type: 'string', default: '20' },
    json: { type: 'boolean', default: false },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const secret = await readSecret(values, io);
    const core = vaultCore(values);
    const limit = Number(values.limit);
    const result = await withUnlockedVault(core, secret, () =>
      call(core, 'search', { query: positionals[0], limit: Number.isInteger(limit) ? limit : 20 }),
    );
    if (!result.ok) return reportError(result.error, values.json === true, io);
    const hits = (result.value as { hits: SearchHit[] }).hits;
    if (values.json) {
      // The snippet as plain text with the hits in «», and the segments for renderers.
      const out = hits.map((h) => ({
        id: h.id,
        kind: h.kind,
        documentId: h.documentId,
        title: h.title,
        snippet: h.snippet.map((s) => (s.hit ? `«${s.text}»` : s.text)).join(''),
        segments: h.snippet,
        rank: h.rank,
      }));
      io.stdout(`${JSON.stringify(out)}\n`);
    } else {
      for (const h of hits) {
        io.stdout(
          `${h.id}  ${h.kind.padEnd(10)}  ${h.title}\n    ${h.snippet.map((s) => (s.hit ? `«${s.text}»` : s.text)).join('')}\n`,
        );
      }
    }
    return EXIT.ok;
  },
};
