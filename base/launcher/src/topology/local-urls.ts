/**
 * Rewrites `http://<service>[:port]` to that service's local address wherever a known service is
 * named in a command or an environment value, so a process that is not a Kiln container (it
 * has no topology to resolve names with: `MODEL_URL=http://train:8080/…`) works unchanged on
 * loopback. A longer host name (`train-2`, `train.example`) is left alone.
 */
export function rewriteServiceUrls(value: string, localUrls: ReadonlyMap<string, string>): string {
  if (localUrls.size === 0) return value;
  const names = [...localUrls.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`\\bhttps?://(${names.join('|')})(?![A-Za-z0-9.-])(?::\\d+)?`, 'g');
  return value.replace(pattern, (_all, name: string) => localUrls.get(name)!);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
