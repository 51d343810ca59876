import { Collection, ErrorCode } from '@kiln/api';
import { KilnApiError } from '../errors/kiln-api-error.js';

/** An artifact URL taken apart. */
export interface ParsedArtifactUrl {
  /** The container's base URL (`http://import:8080`, or `…/containers/import` behind a gateway). */
  base: string;
  collection: Collection;
  name: string;
}

const ARTIFACT_PATH = /^(.*)\/(artifacts|runs)\/([^/?#]+)\/?$/;

/**
 * Splits the URL of an artifact (`http://import:8080/artifacts/x/`, the form of an artifact
 * reference) or of a run (`…/runs/r/`) into its container's base URL, collection and name.
 * Anything else is an `INVALID_PATH` error.
 */
export function parseArtifactUrl(url: string): ParsedArtifactUrl {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  const match =
    parsed && /^https?:$/.test(parsed.protocol) && !parsed.search && !parsed.hash
      ? ARTIFACT_PATH.exec(url)
      : null;
  const name = match ? safeDecode(match[3]!) : undefined;
  if (!match || name === undefined) {
    throw KilnApiError.client(
      ErrorCode.InvalidPath,
      'Not an artifact URL',
      `${JSON.stringify(url)} is not the URL of an artifact (http://<container>/artifacts/<name>/)`,
      400,
    );
  }
  return { base: match[1]!, collection: match[2] as Collection, name };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
