import {
  ARTIFACT_REFERENCE_FORMAT,
  ErrorCode,
  KilnError,
  type JsonSchema,
  type ValidationIssue,
} from '@kiln/api';
import Ajv2020Module, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv and ajv-formats are CommonJS with a `default` property; NodeNext sees the namespace.
const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ARTIFACT_URL =
  /^https?:\/\/[^/]+(\/[^?#]*)?\/(artifacts|runs)\/[A-Za-z0-9][A-Za-z0-9._-]{0,127}\/?$/;

/**
 * The schema as served and enforced: an object schema that refuses unknown properties unless it
 * says otherwise.
 */
function normalizeParametersSchema(schema: JsonSchema | undefined): JsonSchema {
  const base: JsonSchema = schema ? { ...schema } : { type: 'object', properties: {} };
  if (!('additionalProperties' in base) && !('unevaluatedProperties' in base))
    base['additionalProperties'] = false;
  if (!('properties' in base)) base['properties'] = {};
  return base;
}

/** Top-level parameters whose schema has `format: kiln-artifact`. */
function artifactReferenceParameters(schema: JsonSchema): string[] {
  const properties = (schema['properties'] ?? {}) as Record<string, { format?: unknown }>;
  return Object.entries(properties)
    .filter(([, property]) => property && property.format === ARTIFACT_REFERENCE_FORMAT)
    .map(([name]) => name);
}

/** Validates parameters against a tool's schema, applying defaults. */
export class ParameterValidator {
  readonly schema: JsonSchema;
  readonly artifactParameters: string[];
  readonly #validate: ValidateFunction;

  constructor(schema: JsonSchema | undefined) {
    this.schema = normalizeParametersSchema(schema);
    this.artifactParameters = artifactReferenceParameters(this.schema);
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
    addFormats(ajv);
    ajv.addFormat(ARTIFACT_REFERENCE_FORMAT, {
      type: 'string',
      validate: (value: string) => ARTIFACT_URL.test(value),
    });
    this.#validate = ajv.compile(this.schema);
  }

  /** Returns a validated copy with defaults filled in, or throws a 422 with JSON-pointer paths. */
  validate(parameters: unknown): Record<string, unknown> {
    const copy = structuredClone(parameters ?? {}) as Record<string, unknown>;
    if (this.#validate(copy)) return copy;
    const errors = (this.#validate.errors ?? []).map(toIssue);
    throw new KilnError(
      ErrorCode.ValidationFailed,
      `the parameters are not valid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`,
      {
        status: 422,
        errors,
      },
    );
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function toIssue(error: ErrorObject): ValidationIssue {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    return {
      path: `${error.instancePath}/${escapePointer(params['missingProperty'])}`,
      message: 'is required',
    };
  }
  if (
    error.keyword === 'additionalProperties' &&
    typeof params['additionalProperty'] === 'string'
  ) {
    return {
      path: `${error.instancePath}/${escapePointer(params['additionalProperty'])}`,
      message: 'is not a known parameter',
    };
  }
  // ajv says only "must be equal to one of the allowed values"; the caller needs to see them.
  if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    return {
      path: error.instancePath,
      message: `must be one of ${params['allowedValues'].map((value) => JSON.stringify(value)).join(', ')}`,
    };
  }
  if (error.keyword === 'const') {
    return {
      path: error.instancePath,
      message: `must be ${JSON.stringify(params['allowedValue'])}`,
    };
  }
  if (error.keyword === 'format' && params['format'] === ARTIFACT_REFERENCE_FORMAT) {
    return {
      path: error.instancePath,
      message: 'must be the URL of an artifact (http://host/artifacts/{name}/)',
    };
  }
  return { path: error.instancePath, message: error.message ?? 'is not valid' };
}
