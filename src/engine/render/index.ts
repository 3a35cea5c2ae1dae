export {
  CHROMIUM_ARGS,
  defaultChromiumPath,
  looksLikeAppShell,
  Renderer,
  rendererFor,
  type RenderedPage,
  type RendererOptions,
  type RenderMode,
} from './renderer.js';
export { renderWhereNeeded, type AnalyzedPage, type RenderPagesOptions } from './render-pages.js';
