import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Proves the boundary rule fails on each forbidden import (and stays quiet on allowed ones),
 * by linting snippets as if they were files in each layer, with the project's real config.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) =>
      [
        'no-restricted-imports',
        'no-restricted-globals',
        'no-restricted-syntax',
        'no-restricted-properties',
      ].includes(m.ruleId ?? ''),
    )
    .map((m) => m.message);
}

const forbidden: [layer: string, file: string, code: string][] = [
  // PDF parsers only in the sandbox's process (issue 14).
  [
    'the vault worker loading pdf.js',
    'electron/core/vault/x.ts',
    "export const text = async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')).getDocument;\n",
  ],
  [
    'the vault importing pdf.js statically',
    'electron/core/vault/x.ts',
    "import * as pdfjs from 'pdfjs-dist';\nvoid pdfjs;\n",
  ],
  // The office formats' readers likewise (issue 16).
  [
    'the vault worker loading mammoth',
    'electron/core/vault/x.ts',
    "export const docx = async () => (await import('mammoth')).extractRawText;\n",
  ],
  [
    'the vault importing fflate',
    'electron/core/vault/x.ts',
    "import { unzipSync } from 'fflate';\nvoid unzipSync;\n",
  ],
  [
    'main importing xmldom',
    'electron/main/x.ts',
    "import { DOMParser } from '@xmldom/xmldom';\nvoid DOMParser;\n",
  ],
  [
    'signing importing pdf-lib',
    'electron/core/signing/x.ts',
    "import { PDFDict } from 'pdf-lib';\nvoid PDFDict;\n",
  ],
  [
    'main importing pdf-lib',
    'electron/main/x.ts',
    "import { PDFDocument } from 'pdf-lib';\nvoid PDFDocument;\n",
  ],
  [
    'the CLI importing pdf-lib',
    'electron/cli/x.ts',
    "import { PDFParser } from 'pdf-lib';\nvoid PDFParser;\n",
  ],
  [
    "signing importing the sandbox's parsers",
    'electron/core/signing/x.ts',
    "import { openPdf } from '../pdf-sandbox/host/pdf/pdf-document';\nvoid openPdf;\n",
  ],
  [
    "the sandbox's client importing its parsers",
    'electron/core/pdf-sandbox/x.ts',
    "import { signatureFacts } from './host/signature-facts';\nvoid signatureFacts;\n",
  ],
  [
    "the sample data using pdf-lib's writer (it brings the parser along)",
    'electron/core/vault/sample-data.ts',
    "import { PDFDocument } from 'pdf-lib';\nexport const make = () => PDFDocument.create();\n",
  ],
  ['core importing electron', 'electron/core/x.ts', "import { app } from 'electron';\nvoid app;\n"],
  [
    'core importing main',
    'electron/core/x.ts',
    "import { registerIpc } from '../main/ipc';\nvoid registerIpc;\n",
  ],
  ['core using the DOM', 'electron/core/x.ts', 'export const t = document.title;\n'],
  [
    'renderer importing node:fs',
    'renderer/src/x.ts',
    "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
  ],
  ['renderer importing fs', 'renderer/src/x.ts', "import fs from 'fs';\nvoid fs;\n"],
  [
    'renderer importing electron',
    'renderer/src/x.ts',
    "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n",
  ],
  [
    'renderer importing the core',
    'renderer/src/x.ts',
    "import { createCore } from '../../electron/core';\nvoid createCore;\n",
  ],
  ['renderer using process', 'renderer/src/x.ts', 'export const e = process.env;\n'],
  [
    'shared importing node:crypto',
    'shared/x.ts',
    "import { randomBytes } from 'node:crypto';\nvoid randomBytes;\n",
  ],
  ['shared importing path', 'shared/x.ts', "import path from 'path';\nvoid path;\n"],
  ['shared importing electron', 'shared/x.ts', "import { app } from 'electron';\nvoid app;\n"],
  [
    'shared importing the core',
    'shared/x.ts',
    "import { createCore } from '../electron/core';\nvoid createCore;\n",
  ],
  ['shared importing the renderer', 'shared/x.ts', "import { App } from '../renderer/src/app';\nvoid App;\n"],
  ['shared using window', 'shared/x.ts', 'export const w = window.location;\n'],
  ['shared using Buffer', 'shared/x.ts', "export const b = Buffer.from('x');\n"],
  [
    'preload importing node:fs',
    'electron/preload/x.ts',
    "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
  ],
  [
    'preload importing the core',
    'electron/preload/x.ts',
    "import { createCore } from '../core';\nvoid createCore;\n",
  ],
  [
    'main importing the bridge',
    'electron/main/x.ts',
    "import { attachBridge } from '../core/bridge/bridge-server';\nvoid attachBridge;\n",
  ],
  [
    'main importing ws',
    'electron/main/x.ts',
    "import { WebSocketServer } from 'ws';\nvoid WebSocketServer;\n",
  ],
  [
    'main importing the preview',
    'electron/main/x.ts',
    "import { startPreview } from '../dev/preview-server';\nvoid startPreview;\n",
  ],
  [
    'main importing the bridge from electron/dev',
    'electron/main/x.ts',
    "import { attachBridge } from '../dev/bridge-server';\nvoid attachBridge;\n",
  ],
  [
    'main importing the CLI',
    'electron/main/x.ts',
    "import { runCli } from '../cli/embassy';\nvoid runCli;\n",
  ],
  [
    'core importing hq',
    'electron/core/sync/x.ts',
    "import { startRelay } from '../../../hq/server/relay-server';\nvoid startRelay;\n",
  ],
  [
    'core importing the CLI',
    'electron/core/x.ts',
    "import { runCli } from '../cli/embassy';\nvoid runCli;\n",
  ],
  [
    'core importing the preview (dev code)',
    'electron/core/vault/x.ts',
    "import { startPreview } from '../../dev/preview-server';\nvoid startPreview;\n",
  ],
  ['cli importing electron', 'electron/cli/x.ts', "import { app } from 'electron';\nvoid app;\n"],
  [
    'cli importing the preview',
    'electron/cli/commands/x.ts',
    "import { startPreview } from '../../dev/preview-server';\nvoid startPreview;\n",
  ],
  [
    'dev importing hq',
    'electron/dev/x.ts',
    "import { startRelay } from '../../hq/server/relay-server';\nvoid startRelay;\n",
  ],
  ['dev importing electron', 'electron/dev/x.ts', "import { app } from 'electron';\nvoid app;\n"],
  [
    'a capability importing a file inside another (not its index)',
    'electron/core/signing/x.ts',
    "import { startTokenHost } from '../token/token-client';\nvoid startTokenHost;\n",
  ],
  [
    "a capability importing another's index.ts by its file name",
    'electron/core/sync/x.ts',
    "import { loadSodium } from '../vault/index';\nvoid loadSodium;\n",
  ],
  [
    "the core's root importing a file inside a capability",
    'electron/core/x.ts',
    "import { createVaultService } from './vault/vault-service';\nvoid createVaultService;\n",
  ],
  [
    'main importing a file inside a capability',
    'electron/main/x.ts',
    "import { forkHost } from '../core/token/token-client';\nvoid forkHost;\n",
  ],
  [
    'cli importing a file inside a capability',
    'electron/cli/commands/x.ts',
    "import { defaultProfileDir } from '../../core/profile/profile-dir';\nvoid defaultProfileDir;\n",
  ],
  [
    'dev importing a file inside a capability',
    'electron/dev/x.ts',
    "import { rendererCsp } from '../core/renderer-assets/renderer-assets';\nvoid rendererCsp;\n",
  ],
  ['hq importing electron', 'hq/server/x.ts', "import { app } from 'electron';\nvoid app;\n"],
  [
    'hq importing the core',
    'hq/server/x.ts',
    "import { createCore } from '../../electron/core';\nvoid createCore;\n",
  ],
  ['hq importing the renderer', 'hq/x.ts', "import { App } from '../renderer/src/app';\nvoid App;\n"],
  ['hq using the DOM', 'hq/x.ts', 'export const t = document.title;\n'],
  [
    "the vault importing sync's engine face",
    'electron/core/vault/x.ts',
    "import { createSyncService } from '../sync';\nvoid createSyncService;\n",
  ],
  [
    "the vault importing a file of sync's engine",
    'electron/core/vault/x.ts',
    "import { createSyncService } from '../sync/engine/sync-service';\nvoid createSyncService;\n",
  ],
  [
    "the vault importing a file behind sync's worker face",
    'electron/core/vault/x.ts',
    "import { SYNC_WORKER_OPS } from '../sync/store/sync-worker-ops';\nvoid SYNC_WORKER_OPS;\n",
  ],
  [
    'the vault importing electron (the core rules still hold there)',
    'electron/core/vault/x.ts',
    "import { app } from 'electron';\nvoid app;\n",
  ],
];

const allowed: [layer: string, file: string, code: string][] = [
  [
    "the vault importing sync's worker face and shared/sync",
    'electron/core/vault/x.ts',
    "import { SYNC_WORKER_OPS } from '../sync/store';\nimport { RelayErrorCode } from '../../../shared/sync/sync-error-codes';\nvoid SYNC_WORKER_OPS;\nvoid RelayErrorCode;\n",
  ],
  [
    "the core's root importing sync's engine face",
    'electron/core/x.ts',
    "import { createSyncService } from './sync';\nvoid createSyncService;\n",
  ],
  [
    'hq importing node, ws and shared',
    'hq/server/x.ts',
    "import { createServer } from 'node:https';\nimport { WebSocketServer } from 'ws';\nimport { RelayErrorCode } from '../../shared/sync/relay-protocol';\nvoid createServer;\nvoid WebSocketServer;\nvoid RelayErrorCode;\n",
  ],
  [
    'core importing node:fs',
    'electron/core/x.ts',
    "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
  ],
  ['core importing shared', 'electron/core/x.ts', "import { ok } from '../../shared/contract';\nvoid ok;\n"],
  [
    'main importing electron and core',
    'electron/main/x.ts',
    "import { app } from 'electron';\nimport { createCore } from '../core';\nvoid app;\nvoid createCore;\n",
  ],
  [
    'renderer importing shared',
    'renderer/src/x.ts',
    "import { CLASSIFICATIONS } from '../../shared/domain/classification';\nvoid CLASSIFICATIONS;\n",
  ],
  [
    'shared importing zod and shared',
    'shared/x.ts',
    "import { z } from 'zod';\nimport { LANGUAGES } from './domain/language';\nvoid z;\nvoid LANGUAGES;\n",
  ],
  [
    'cli importing the core, hq/cli and shared',
    'electron/cli/commands/x.ts',
    "import { createCore } from '../../core';\nimport { HQ_COMMANDS } from '../../../hq/cli';\nimport { EXIT } from '../../../shared/cli/cli-command';\nvoid createCore;\nvoid HQ_COMMANDS;\nvoid EXIT;\n",
  ],
  [
    'dev importing the core, ws and shared',
    'electron/dev/x.ts',
    "import { createCore } from '../core';\nimport { WebSocketServer } from 'ws';\nimport { ErrorCode } from '../../shared/contract/errors';\nvoid createCore;\nvoid WebSocketServer;\nvoid ErrorCode;\n",
  ],
  [
    'dev importing shared/cli (a shared folder, not the CLI)',
    'electron/dev/x.ts',
    "import { wrap } from '../../shared/cli/help-text';\nvoid wrap;\n",
  ],
  [
    'hq/cli importing hq and shared/cli',
    'hq/cli/x.ts',
    "import { startRelay } from '../server/relay-server';\nimport { defineCommand } from '../../shared/cli/cli-command';\nvoid startRelay;\nvoid defineCommand;\n",
  ],
  [
    'a capability importing another through its index.ts',
    'electron/core/signing/x.ts',
    "import { startTokenHost } from '../token';\nvoid startTokenHost;\n",
  ],
  [
    'a capability importing its own files',
    'electron/core/vault/x.ts',
    "import { asVaultKey } from './vault-key';\nvoid asVaultKey;\n",
  ],
  [
    "core importing shared/contract and shared/sync (not the core's contract or sync folders)",
    'electron/core/sync/x.ts',
    "import { ErrorCode } from '../../../shared/contract/errors';\nimport { DeviceId } from '../../../shared/sync/relay-protocol';\nvoid ErrorCode;\nvoid DeviceId;\n",
  ],
  [
    "main importing the core and a capability's index",
    'electron/main/x.ts',
    "import { createCore } from '../core';\nimport { rendererCsp } from '../core/renderer-assets';\nvoid createCore;\nvoid rendererCsp;\n",
  ],
  [
    'preload importing electron',
    'electron/preload/x.ts',
    "import { contextBridge } from 'electron';\nvoid contextBridge;\n",
  ],
  [
    "the sandbox's process importing pdf-lib and pdf.js",
    'electron/core/pdf-sandbox/host/x.ts',
    "import { PDFDict } from 'pdf-lib';\nexport const f = async () => (await import('pdfjs-dist/legacy/build/pdf.mjs')).getDocument;\nvoid PDFDict;\n",
  ],
  [
    "the sandbox's process importing the office readers",
    'electron/core/pdf-sandbox/host/office/x.ts',
    "import { unzipSync } from 'fflate';\nimport { DOMParser } from '@xmldom/xmldom';\nexport const f = async () => (await import('mammoth')).extractRawText;\nvoid unzipSync;\nvoid DOMParser;\n",
  ],
  [
    'signing asking the sandbox (its index)',
    'electron/core/signing/x.ts',
    "import { createPdfSandbox } from '../pdf-sandbox';\nvoid createPdfSandbox;\n",
  ],
];

describe('import boundaries', () => {
  it.each(forbidden)('fails on %s', async (_label, file, code) => {
    expect(await boundaryErrors(file, code)).not.toEqual([]);
  });

  it.each(allowed)('allows %s', async (_label, file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});
