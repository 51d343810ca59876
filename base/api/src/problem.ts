/** One validation failure; `path` is a JSON Pointer. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** An RFC 9457 problem document as every Kiln container sends it. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Stable machine-readable code, e.g. `ARTIFACT_NOT_FOUND`. */
  code?: string;
  errors?: ValidationIssue[];
  instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
