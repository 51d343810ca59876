import { ClientErrorCode, isKilnApiError } from '@kiln/client';
import { ErrorCode, KilnError } from '@kiln/api';

/** Exit statuses of `kiln`. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error in what the user typed (arguments, a parameters file): exit status 2. */
export function usageError(message: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.BadRequest, message, { status: 400, cause });
}

/**
 * 2 for errors found before any request left (bad arguments, unreadable local files),
 * 1 for everything else.
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (isKilnApiError(error))
    return error.request === undefined && error.status === 400 ? ExitCode.Usage : ExitCode.Failure;
  if (error instanceof KilnError && error.status === 400) return ExitCode.Usage;
  return ExitCode.Failure;
}

/** The one line `kiln` prints for an error: the message, then any validation issues. */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Servers often repeat the issues in `detail`: add only those it does not already say.
  const extra =
    error instanceof KilnError
      ? (error.errors ?? [])
          .map((e) => `${e.path || '/'} ${e.message}`)
          .filter((text) => !error.message.includes(text))
      : [];
  const issues = extra.length > 0 ? `: ${extra.join('; ')}` : '';
  const status =
    isKilnApiError(error) && error.request && error.status < 500 ? ` (${error.status})` : '';
  const hint =
    isKilnApiError(error) && error.code === ClientErrorCode.ConnectionFailed
      ? ' (is the server running? set --url or KILN_URL)'
      : '';
  const known = error instanceof KilnError || error.name === 'AbortError';
  return `${known ? '' : 'internal error: '}${error.message}${issues}${status}${hint}`.replace(
    /\s*\n\s*/g,
    ' ',
  );
}
