import { EXIT } from '../../shared/cli/cli-command';
import { PRIVATE_UMASK } from '../core';
import { runCli } from './embassy';

// Whatever the CLI writes (profile, signed exports) is the user's alone, whatever the shell's umask.
process.umask(PRIVATE_UMASK);

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.once('end', () => {
      const all = Buffer.concat(chunks);
      // Drop exactly one trailing newline (echo "1234" | embassy …).
      let end = all.length;
      if (all[end - 1] === 0x0a) end--;
      if (all[end - 1] === 0x0d) end--;
      const secret = Buffer.from(all.subarray(0, end));
      all.fill(0);
      for (const c of chunks) c.fill(0);
      resolve(secret);
    });
    process.stdin.once('error', reject);
  });
}

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`embassy: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.internal;
  },
);
