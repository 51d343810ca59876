import { ErrorCode, KilnError } from '@kiln/api';

/** The error of every store call made while the shared database cannot be reached: a 503. */
export function databaseUnavailable(cause: unknown): KilnError {
  return new KilnError(
    ErrorCode.DatabaseUnavailable,
    'the database is unavailable for the moment; try again shortly',
    { status: 503, retryable: true, cause },
  );
}

/** Whether `error` says the shared database could not be reached (matched on its code). */
export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === ErrorCode.DatabaseUnavailable
  );
}
