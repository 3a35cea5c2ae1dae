import { Fetcher } from '../../engine/index.js';

/**
 * The fetcher CLI commands use. Like the server it refuses private addresses unless
 * ALLOW_PRIVATE_NETWORK=true, so pointing the CLI at an intranet site is a deliberate choice.
 */
export function cliFetcher(): Fetcher {
  return new Fetcher({ allowPrivateNetwork: /^(true|1|yes)$/i.test(process.env.ALLOW_PRIVATE_NETWORK ?? '') });
}
