export { createExportHandlers, type ExportDeps } from './export-handlers';
export { exportFileName } from './export-file-name';
