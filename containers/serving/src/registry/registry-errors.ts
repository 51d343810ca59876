import { ErrorCode, KilnError, MODEL_ALIASES } from '@kiln/api';

/** 404: the registry has no such model. */
export function modelNotFound(model: string): KilnError {
  return new KilnError(ErrorCode.ModelNotFound, `no model named '${model}'`, { status: 404 });
}

/** 404: the model has no such version. */
export function versionNotFound(model: string, version: number): KilnError {
  return new KilnError(ErrorCode.VersionNotFound, `'${model}' has no version ${version}`, {
    status: 404,
  });
}

/** 503: no loaded version can answer yet (retryable). */
export function notReady(detail: string): KilnError {
  return new KilnError(ErrorCode.ModelNotReady, detail, { status: 503, retryable: true });
}

/** 409: an alias cannot point at this version. */
export function versionUnusable(detail: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.VersionUnusable, detail, {
    status: 409,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** 400: not one of the aliases. */
export function invalidAlias(alias: string): KilnError {
  return new KilnError(
    ErrorCode.InvalidAlias,
    `'${alias}' is not an alias; use ${MODEL_ALIASES.join(' or ')}`,
    { status: 400 },
  );
}
