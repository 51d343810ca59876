import type { HTTPError, RequestError } from 'got';

type GotModule = typeof import('got');

let loading: Promise<GotModule> | undefined;
let loaded: GotModule | undefined;

/**
 * got, imported on the first request rather than with the SDK: it weighs about 20 MB, and the
 * `kiln` command line imports the SDK even for `kiln serve`, a long-running container process.
 */
export function loadGot(): Promise<GotModule> {
  loading ??= import('got').then((module) => (loaded = module));
  return loading;
}

/** got's error classes, once got is loaded (no got error can exist before). */
export function isGotHttpError(error: unknown): error is HTTPError {
  return loaded !== undefined && error instanceof loaded.HTTPError;
}

export function isGotRequestError(error: unknown): error is RequestError {
  return loaded !== undefined && error instanceof loaded.RequestError;
}
