import { parseNamedUrls } from '@kiln/api';

/**
 * Parses `name=url,name=url` (the `KILN_CONTAINER_URLS` form) into a map, refusing bad names,
 * bad URLs and duplicates so a typo fails when the pipeline module loads rather than mid-run.
 * Trailing slashes are dropped. An empty or missing text gives an empty map.
 *
 * @example
 * ```ts
 * parseContainerUrls('train=http://train:8080,benchmark=http://10.0.0.7:8080');
 * // { train: 'http://train:8080', benchmark: 'http://10.0.0.7:8080' }
 * ```
 */
export function parseContainerUrls(text: string | undefined): Record<string, string> {
  return Object.fromEntries(parseNamedUrls(text).map(({ name, url }) => [name, url]));
}

/** The URL a container has when nothing configures it: its compose service name on port 8080. */
export function defaultContainerUrl(name: string): string {
  return `http://${name}:8080`;
}

/** True for an absolute `http:` or `https:` URL. */
export function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}

/** `http://x:1/` → `http://x:1`. */
export function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
