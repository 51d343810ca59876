import { ErrorCode, KilnError, isValidName } from '@kiln/api';

/**
 * Parses `name=url,name=url` (the form of `KILN_SERVICE_ADDRESSES`, which `kiln up` gives each
 * process it starts) into service → URL, refusing bad names, non-http(s) URLs and duplicates, so
 * a typo fails when a container starts rather than at its first request. Blank entries are
 * skipped; trailing slashes are dropped.
 *
 * @example
 * ```ts
 * parseServiceAddresses('train=http://127.0.0.1:8085/,benchmark=http://10.0.0.7:8080');
 * // { train: 'http://127.0.0.1:8085', benchmark: 'http://10.0.0.7:8080' }
 * ```
 */
export function parseServiceAddresses(text: string | undefined): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const pair of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at < 0) throw invalid(`'${pair}' is not a name=url pair`);
    const name = pair.slice(0, at).trim();
    const url = pair.slice(at + 1).trim();
    if (!isValidName(name)) throw invalid(`bad service name in '${pair}'`);
    if (!isHttpUrl(url)) throw invalid(`bad service URL in '${pair}'`);
    if (Object.hasOwn(addresses, name)) throw invalid(`service '${name}' is named twice`);
    addresses[name] = url.replace(/\/+$/, '');
  }
  return addresses;
}

/** True for an absolute `http:` or `https:` URL. */
export function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}

/** The error of a topology that cannot be used. */
export function invalid(message: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.InvalidTopology, message, {
    status: 500,
    ...(cause === undefined ? {} : { cause }),
  });
}
