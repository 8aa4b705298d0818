export {
  contentTypeFor,
  rendererCsp,
  resolveAsset,
  securityHeaders,
  type CspOptions,
} from './renderer-assets';
