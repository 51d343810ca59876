import { isValidName } from '@kiln/api';

/** A service the dashboard reads: its name (as the gateway knows it) and base URL. */
export interface ServiceEndpoint {
  name: string;
  url: string;
}

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
  const endpoints: ServiceEndpoint[] = [];
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (at < 1 || !isValidName(name)) throw new TypeError(`bad service name in '${pair}'`);
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new TypeError(`bad service URL in '${pair}'`);
    }
    if (endpoints.some((endpoint) => endpoint.name === name)) {
      throw new TypeError(`service '${name}' is named twice`);
    }
    endpoints.push({ name, url: url.replace(/\/+$/, '') });
  }
  return endpoints;
}
