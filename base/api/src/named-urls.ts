import { isValidName } from './names.js';

/** A named service and its base URL, as configuration lists them. */
export interface NamedUrl {
  name: string;
  url: string;
}

/**
 * Parses `name=url,name=url` (the form of `KILN_CONTAINER_URLS` and `KILN_PIPELINE_URLS`),
 * refusing bad names, non-http(s) URLs and duplicates with a TypeError, so a typo fails when a
 * container starts rather than at its first request. Blank entries are skipped; trailing
 * slashes are dropped.
 *
 * @example
 * ```ts
 * parseNamedUrls('train=http://train:8080/,benchmark=http://10.0.0.7:8080');
 * // [{ name: 'train', url: 'http://train:8080' }, { name: 'benchmark', url: 'http://10.0.0.7:8080' }]
 * ```
 */
export function parseNamedUrls(text: string | undefined, what = 'container'): NamedUrl[] {
  const entries: NamedUrl[] = [];
  for (const pair of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 0) throw new TypeError(`'${pair}' is not a name=url pair`);
    const name = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (!isValidName(name)) throw new TypeError(`bad ${what} name in '${pair}'`);
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new TypeError(`bad ${what} URL in '${pair}'`);
    }
    if (entries.some((entry) => entry.name === name))
      throw new TypeError(`${what} '${name}' is named twice`);
    entries.push({ name, url: url.replace(/\/+$/, '') });
  }
  return entries;
}
