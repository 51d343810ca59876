import { parseNamedUrls, type NamedUrl } from '@kiln/api';

/** A container the visualization reads: its name (as the gateway knows it) and base URL. */
export type ContainerEndpoint = NamedUrl;

/**
 * Parses `name=url,name=url` (the `KILN_CONTAINER_URLS` form) into endpoints, refusing bad
 * names, bad URLs and duplicates so a typo fails at start rather than at the first request.
 *
 * @example
 * ```ts
 * parseContainerUrls('train=http://train:8080,benchmark=http://benchmark:8080');
 * ```
 */
export function parseContainerUrls(text: string): ContainerEndpoint[] {
  return parseNamedUrls(text, 'container');
}
