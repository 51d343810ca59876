import type { ProblemDocument, ValidationIssue } from '@kiln/api';

/** A request through the gateway that did not succeed, with the problem document if any. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly problem: ProblemDocument | undefined;

  constructor(status: number, problem: ProblemDocument | undefined, fallback: string) {
    super(problem?.detail ?? problem?.title ?? fallback);
    this.status = status;
    this.problem = problem;
  }

  /** The stable error code (`ARTIFACT_NOT_FOUND`), when the server sent one. */
  get code(): string | undefined {
    return this.problem?.code;
  }

  /** Validation issues of a 422 (JSON Pointer paths). */
  get issues(): ValidationIssue[] {
    return this.problem?.errors ?? [];
  }
}

/** A short text for any error caught while talking to the server. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
