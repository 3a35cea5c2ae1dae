/** A page as fetched for the pipeline: what checks and repairs compare against. */
export interface FetchedPage {
  url: string;
  finalUrl: string;
  status: number;
  headers: Record<string, string>;
  html: string;
  rendered: boolean;
  fetchMs: number;
}

/** How workers fetch pages: the engine's guarded fetcher, configured for this instance. */
export interface PageFetcher {
  fetch(url: string): Promise<FetchedPage>;
}
