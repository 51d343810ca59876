/**
 * The parts of the serving container's OpenAPI document that its route specs carry beside their
 * handlers: request bodies and the schema of a `{version}` path parameter. The document itself is
 * built by `@kiln/core`'s `buildOpenApiDocument`, as every Kiln container's is.
 */

const json = (schema: Record<string, unknown>): Record<string, unknown> => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** `{version}` in a path: a version number. */
export const VERSION_PARAM = { version: { type: 'integer', minimum: 1 } };

/** `POST /models/{model}/versions`. */
export const REGISTER_BODY = json({
  type: 'object',
  required: ['artifact'],
  additionalProperties: false,
  properties: {
    artifact: { type: 'string', format: 'uri', description: 'URL of a completed model artifact' },
    evaluation: {
      type: 'string',
      format: 'uri',
      description: 'URL of a dataset artifact to evaluate on',
    },
    set: { type: 'string', description: "the dataset's set to evaluate on (test)" },
  },
});

/** `PUT /models/{model}/aliases/{alias}`. */
export const ALIAS_BODY = json({
  type: 'object',
  required: ['version'],
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 1 } },
});

/** `POST /models/{model}/predict`. */
export const IMAGE_BODY = {
  required: true,
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        required: ['image'],
        properties: {
          image: { type: 'string', format: 'binary', description: 'PNG, JPEG or PGM' },
        },
      },
    },
  },
};

/** An Open Inference Protocol inference request, as this container takes it. */
export const INFER_BODY = json({
  type: 'object',
  required: ['inputs'],
  properties: {
    id: { type: 'string' },
    parameters: { type: 'object' },
    inputs: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        required: ['name', 'shape', 'datatype', 'data'],
        properties: {
          name: { const: 'images' },
          shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
          datatype: { enum: ['FP32', 'UINT8'] },
          data: { type: 'array' },
        },
      },
    },
    outputs: {
      type: 'array',
      items: { type: 'object', properties: { name: { const: 'probabilities' } } },
    },
  },
});

/** What every problem document of this container carries beside RFC 9457's members. */
export const PROBLEM_MEMBERS = {
  error: { type: 'string', description: "the Open Inference Protocol's error member" },
};
