import { Transform, type TransformCallback } from 'node:stream';

/** One literal URL prefix replacement: `http://train:8080` → `https://kiln.example/containers/train`. */
export interface RewriteRule {
  from: string;
  to: string;
}

/** Characters that continue a URL's authority or path segment, so a match followed by one is no match. */
const CONTINUES_URL = /[A-Za-z0-9._~:@%+-]/;

/**
 * Replaces every rule's `from` prefix in `text` where it ends at a URL boundary, so
 * `http://train:8080` matches in `http://train:8080/artifacts/a/` but not in `http://train:80801`.
 * `final` says whether the text ends here; otherwise the last `holdBack` characters are left
 * for the next call, since they may start a match.
 */
export function replaceUrls(
  text: string,
  rules: readonly RewriteRule[],
  final: boolean,
): { done: string; rest: string } {
  const holdBack = final ? 0 : Math.max(0, ...rules.map((rule) => rule.from.length));
  const limit = text.length - holdBack;
  let out = '';
  let pos = 0;
  for (;;) {
    const match = nextMatch(text, rules, pos);
    if (!match || match.index >= limit) break;
    const after = text[match.index + match.rule.from.length];
    if (after !== undefined && CONTINUES_URL.test(after)) {
      out += text.slice(pos, match.index + 1);
      pos = match.index + 1;
      continue;
    }
    out += text.slice(pos, match.index) + match.rule.to;
    pos = match.index + match.rule.from.length;
  }
  const emitTo = Math.max(pos, limit);
  return { done: out + text.slice(pos, emitTo), rest: text.slice(emitTo) };
}

function nextMatch(
  text: string,
  rules: readonly RewriteRule[],
  from: number,
): { index: number; rule: RewriteRule } | undefined {
  let best: { index: number; rule: RewriteRule } | undefined;
  for (const rule of rules) {
    const index = text.indexOf(rule.from, from);
    if (
      index !== -1 &&
      (!best ||
        index < best.index ||
        (index === best.index && rule.from.length > best.rule.from.length))
    ) {
      best = { index, rule };
    }
  }
  return best;
}

/**
 * A streaming {@link replaceUrls}: holds back only a rule's length between chunks, so a large
 * JSON listing is rewritten without being buffered. Works on bytes as latin1, which maps each
 * byte to one character, so multi-byte UTF-8 split across chunks passes through untouched.
 */
export class UrlRewriteStream extends Transform {
  readonly #rules: readonly RewriteRule[];
  #pending = '';

  constructor(rules: readonly RewriteRule[]) {
    super();
    this.#rules = rules;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { done, rest } = replaceUrls(
      this.#pending + chunk.toString('latin1'),
      this.#rules,
      false,
    );
    this.#pending = rest;
    callback(null, done ? Buffer.from(done, 'latin1') : undefined);
  }

  override _flush(callback: TransformCallback): void {
    const { done } = replaceUrls(this.#pending, this.#rules, true);
    callback(null, done ? Buffer.from(done, 'latin1') : undefined);
  }
}

/** Rewrites one URL reference (a `Location` value): path-absolute ones get the route's prefix. */
export function rewriteReference(
  value: string,
  prefix: string,
  rules: readonly RewriteRule[],
): string {
  if (value.startsWith('/') && !value.startsWith('//')) return `${prefix}${value}`;
  return replaceUrls(value, rules, true).done;
}

/** Rewrites every `<uri-reference>` of a `Link` header. */
export function rewriteLinkHeader(
  value: string,
  prefix: string,
  rules: readonly RewriteRule[],
): string {
  return value.replace(
    /<([^>]*)>/g,
    (_all, uri: string) => `<${rewriteReference(uri, prefix, rules)}>`,
  );
}
