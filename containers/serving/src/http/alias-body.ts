import { ErrorCode, KilnError } from '@kiln/api';

/** The `version` of a `PUT /models/{model}/aliases/{alias}` body: a positive integer. */
export function integerAlias(body: Record<string, unknown>): number {
  const version = body['version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new KilnError(
      ErrorCode.ValidationFailed,
      "'version' must be a version number (1, 2, …)",
      {
        status: 422,
        errors: [
          {
            path: '/version',
            message: version === undefined ? 'is required' : 'must be an integer >= 1',
          },
        ],
      },
    );
  }
  return version;
}
