export { defaultChromiumPath, looksLikeAppShell, Renderer, type RenderedPage, type RendererOptions, type RenderMode } from './renderer.js';
