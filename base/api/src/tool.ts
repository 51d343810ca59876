/** A file a tool accepts on create (multipart part name = `name`). */
export interface InputFileSpec {
  name: string;
  description: string;
  required: boolean;
}

export const ContainerKind = { Tool: 'tool', Pipeline: 'pipeline', Serving: 'serving' } as const;
export type ContainerKind = (typeof ContainerKind)[keyof typeof ContainerKind];

/** A JSON Schema (2020-12) object; kept loose because any valid schema is allowed. */
export type JsonSchema = Record<string, unknown>;

/** `GET /` of a tool or pipeline container. */
export interface ToolDescription {
  kind: ContainerKind;
  api: 'kiln/v1';
  name: string;
  version: string;
  description: string;
  artifactType: string;
  parameters: JsonSchema;
  inputFiles: InputFileSpec[];
}

/** `GET /health`. */
export interface HealthResponse {
  status: 'ok' | 'unavailable';
  queued: number;
  running: number;
  /** How many builds can run at once (the container's worker pool). */
  workers: number;
  /** Why the container cannot take work (a Kiln extension, only with 503). */
  reason?: string;
}

/** The JSON Schema `format` that marks a parameter as an artifact reference. */
export const ARTIFACT_REFERENCE_FORMAT = 'kiln-artifact';
