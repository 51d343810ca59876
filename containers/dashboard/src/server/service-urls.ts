import { parseNamedUrls, type NamedUrl } from '@kiln/api';

/** A service the dashboard reads: its name (as the gateway knows it) and base URL. */
export type ServiceEndpoint = NamedUrl;

/**
 * Parses `name=url,name=url` (the `KILN_PIPELINE_URLS` form) into endpoints, refusing bad
 * names, bad URLs and duplicates so a typo fails at start rather than at the first request.
 *
 * @example
 * ```ts
 * parseServiceUrls('fashion-mnist=http://fashion-mnist:8080');
 * ```
 */
export function parseServiceUrls(text: string): ServiceEndpoint[] {
  return parseNamedUrls(text, 'service');
}
