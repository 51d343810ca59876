import { ErrorCode, KilnError } from '@kiln/api';

/**
 * The error every bad input of the Fashion-MNIST tools raises: a corrupt or truncated archive,
 * a wrong magic number, mismatched counts, an empty split, an architecture the loaded backend
 * cannot train. It is a 422-like failure (`VALIDATION_FAILED`, status 422): the request was
 * well formed but its data cannot be used, and trying again unchanged will not help.
 */
export function datasetError(message: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.ValidationFailed, message, {
    status: 422,
    retryable: false,
    cause,
  });
}
