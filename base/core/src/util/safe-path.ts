import { KilnError, ErrorCode } from '@kiln/api';
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';

/**
 * Checks the segments of a relative path taken from a URL. Refuses what could leave a folder:
 * dot segments (also once more URL-decoded, against double encoding), empty segments,
 * backslashes, NUL and drive letters.
 */
export function checkRelativeSegments(segments: readonly string[]): string[] {
  if (segments.length === 0) throw invalidPath('an empty path');
  for (const segment of segments) {
    const decodedAgain = safeDecode(segment);
    if (
      segment === '' ||
      segment === '.' ||
      segment === '..' ||
      decodedAgain === '.' ||
      decodedAgain === '..' ||
      /[\\\0/:]/.test(segment) ||
      /[\\\0/]/.test(decodedAgain)
    ) {
      throw invalidPath(`'${segments.join('/')}' is not an allowed path inside an artifact`);
    }
  }
  return [...segments];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function invalidPath(detail: string): KilnError {
  return new KilnError(ErrorCode.InvalidPath, detail, { status: 400 });
}

/**
 * Resolves symlinks of `candidate` and returns its real path only if it stays inside `root`;
 * null when it does not exist or escapes, so callers answer 404 either way.
 */
export async function realPathInside(root: string, candidate: string): Promise<string | null> {
  try {
    const [realRoot, realCandidate] = await Promise.all([realpath(root), realpath(candidate)]);
    if (realCandidate === realRoot || realCandidate.startsWith(realRoot + sep))
      return realCandidate;
    return null;
  } catch {
    return null;
  }
}
