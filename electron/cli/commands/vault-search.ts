import { defineCommand, EXIT, JSON_OPTION, reportError } from '../../../shared/cli/cli-command';
import { call } from '../cli-core';
import { PIN_STDIN_OPTION, PROFILE_OPTION } from '../common-options';
import { readSecret, vaultCore, withUnlockedVault } from '../vault-session';

/** `embassy vault search`: full-text search of the vault; `--json` prints [{id, title, snippet…}]. */
export const vaultSearchCommand = defineCommand({
  name: 'vault search',
  summary: 'search the encrypted cache (diacritics optional, last word as a prefix)',
  usage: 'embassy vault search --profile DIR --pin-stdin QUERY [--limit N] [--json]',
  options: {
    profile: PROFILE_OPTION,
    'pin-stdin': PIN_STDIN_OPTION,
    limit: { type: 'string', arg: 'N', default: '20', help: 'at most N hits (1..100)' },
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, io) {
    const secret = await readSecret(values['pin-stdin'], io);
    const core = vaultCore(values.profile);
    const limit = Number(values.limit);
    const result = await withUnlockedVault(core, secret, () =>
      call(core, 'search', { query: positionals[0] ?? '', limit: Number.isInteger(limit) ? limit : 20 }),
    );
    if (!result.ok) return reportError(result.error, values.json, io);
    const { hits } = result.value;
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
});
