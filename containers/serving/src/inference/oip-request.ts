import {
  ErrorCode,
  KilnError,
  OipDatatype,
  type ModelSignature,
  type ValidationIssue,
} from '@kiln/api';

/** The one input tensor of a Kiln model, by its name in model metadata. */
export const INPUT_NAME = 'images';
/** The one output tensor. */
export const OUTPUT_NAME = 'probabilities';

const REQUEST_FIELDS = new Set(['id', 'parameters', 'inputs', 'outputs']);
const TENSOR_FIELDS = new Set(['name', 'shape', 'datatype', 'parameters', 'data']);

/** An infer request, checked and flattened: `count` images of raw grey pixels. */
export interface ParsedInferRequest {
  /** The request's `id`, when it gave one. */
  id: string | undefined;
  pixels: Float32Array;
  count: number;
}

function refuse(path: string, message: string): KilnError {
  const issue: ValidationIssue = { path, message };
  return new KilnError(ErrorCode.InvalidTensor, `${path}: ${message}`, {
    status: 400,
    errors: [issue],
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The shapes a model of `height × width` pixels accepts for `n` images. */
function acceptedShape(shape: number[], height: number, width: number): boolean {
  const [, ...rest] = shape;
  if (rest.length === 1) return rest[0] === height * width;
  if (rest.length === 2) return rest[0] === height && rest[1] === width;
  if (rest.length === 3) return rest[0] === height && rest[1] === width && rest[2] === 1;
  return false;
}

/**
 * Reads the values of `data` (flat, or nested exactly as `shape` says) into `out`, checking
 * each: a number, finite, 0–255 (raw pixel values), an integer for UINT8.
 */
function readValues(
  data: unknown,
  shape: number[],
  integer: boolean,
  out: Float32Array,
  path: string,
): void {
  let index = 0;
  const put = (value: unknown, at: string): void => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw refuse(at, 'must be a finite number (raw pixel values 0–255)');
    }
    if (value < 0 || value > 255)
      throw refuse(at, `${value} is out of range: pixel values are 0–255`);
    if (integer && !Number.isInteger(value)) throw refuse(at, `${value} is not a UINT8 value`);
    out[index++] = value;
  };
  const walk = (value: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      put(value, at);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      throw refuse(at, `must be an array of ${shape[depth]} (nested data follows the shape)`);
    }
    for (let i = 0; i < value.length; i++) walk(value[i], depth + 1, `${at}/${i}`);
  };
  if (!Array.isArray(data)) throw refuse(path, 'must be an array');
  if (data.length > 0 && Array.isArray(data[0])) {
    walk(data, 0, path);
    return;
  }
  if (data.length !== out.length) {
    throw refuse(
      path,
      `holds ${data.length} values; shape [${shape.join(', ')}] needs ${out.length}`,
    );
  }
  for (let i = 0; i < data.length; i++) put(data[i], `${path}/${i}`);
}

/**
 * Checks an Open Inference Protocol infer request against a model's signature and flattens its
 * one input: `FP32` or `UINT8`, shape `[n, h·w]`, `[n, h, w]` or `[n, h, w, 1]`, raw pixel values
 * 0–255. Every fault is a 400 (`INVALID_TENSOR`) naming the JSON Pointer of the bad value.
 */
export function parseInferRequest(body: unknown, signature: ModelSignature): ParsedInferRequest {
  if (!isObject(body)) throw refuse('', 'the body must be a JSON object with "inputs"');
  for (const field of Object.keys(body)) {
    if (!REQUEST_FIELDS.has(field)) throw refuse(`/${field}`, 'is not a field of an infer request');
  }
  const id = body['id'];
  if (id !== undefined && typeof id !== 'string') throw refuse('/id', 'must be a string');
  if (body['parameters'] !== undefined && !isObject(body['parameters'])) {
    throw refuse('/parameters', 'must be an object');
  }
  checkOutputs(body['outputs']);
  const inputs = body['inputs'];
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    throw refuse('/inputs', `must hold exactly one tensor, named '${INPUT_NAME}'`);
  }
  const tensor: unknown = inputs[0];
  if (!isObject(tensor)) throw refuse('/inputs/0', 'must be an object');
  for (const field of Object.keys(tensor)) {
    if (!TENSOR_FIELDS.has(field)) throw refuse(`/inputs/0/${field}`, 'is not a field of a tensor');
  }
  if (tensor['name'] !== INPUT_NAME) throw refuse('/inputs/0/name', `must be '${INPUT_NAME}'`);
  const datatype = tensor['datatype'];
  if (datatype !== OipDatatype.Fp32 && datatype !== OipDatatype.Uint8) {
    throw refuse('/inputs/0/datatype', `must be FP32 or UINT8, not ${JSON.stringify(datatype)}`);
  }
  const shape = tensor['shape'];
  if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw refuse('/inputs/0/shape', 'must be an array of non-negative integers');
  }
  const { height, width } = signature.imageSize;
  const count = shape[0] as number | undefined;
  if (count === undefined || count < 1 || !acceptedShape(shape as number[], height, width)) {
    throw refuse(
      '/inputs/0/shape',
      `[${shape.join(', ')}] is not [n, ${height * width}], [n, ${height}, ${width}] or [n, ${height}, ${width}, 1] with n ≥ 1`,
    );
  }
  const pixels = new Float32Array(count * height * width);
  readValues(
    tensor['data'],
    shape as number[],
    datatype === OipDatatype.Uint8,
    pixels,
    '/inputs/0/data',
  );
  return { id, pixels, count };
}

function checkOutputs(outputs: unknown): void {
  if (outputs === undefined) return;
  if (!Array.isArray(outputs)) throw refuse('/outputs', 'must be an array');
  outputs.forEach((output: unknown, i) => {
    if (!isObject(output) || output['name'] !== OUTPUT_NAME) {
      throw refuse(`/outputs/${i}/name`, `must be '${OUTPUT_NAME}', the model's one output`);
    }
  });
}
