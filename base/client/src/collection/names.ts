import { ErrorCode, isValidName } from '@kiln/api';
import { KilnApiError } from '../errors/kiln-api-error.js';

/** Refuses a bad name before any request is made (docs/api.md: names match NAME_PATTERN). */
export function assertName(name: unknown, what: string): asserts name is string {
  if (!isValidName(name)) {
    throw KilnApiError.client(
      ErrorCode.InvalidName,
      'Invalid name',
      `invalid ${what} name ${JSON.stringify(name)}: names match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`,
      400,
    );
  }
}

/** Encodes one path segment (a metric or view name), refusing empty and dot segments. */
export function encodeSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..' || value.includes('/')) {
    throw KilnApiError.client(
      ErrorCode.InvalidPath,
      'Invalid path',
      `invalid ${what} ${JSON.stringify(value)}`,
      400,
    );
  }
  return encodeURIComponent(value);
}
