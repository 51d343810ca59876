import { isValidName } from '@kiln/api';

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
  const urls: Record<string, string> = {};
  for (const pair of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (at < 1 || !isValidName(name)) throw new TypeError(`bad container name in '${pair}'`);
    if (!isHttpUrl(url)) throw new TypeError(`bad container URL in '${pair}'`);
    if (Object.hasOwn(urls, name)) throw new TypeError(`container '${name}' is named twice`);
    urls[name] = trimSlashes(url);
  }
  return urls;
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
