import { ErrorCode, KilnError, type ModelSignature } from '@kiln/api';

/** What the train container stores in `model.json` (`userDefinedMetadata.kiln`). */
interface KilnModelMetadata {
  classes?: unknown;
  inputShape?: unknown;
  normalization?: { method?: unknown; scale?: unknown; offset?: unknown };
  architecture?: unknown;
}

function unusable(message: string): KilnError {
  return new KilnError(ErrorCode.ValidationFailed, message, { status: 422 });
}

const isNumberArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((n) => Number.isInteger(n) && n > 0);

/** `[28, 28, 1]`, `[28, 28]` or `[784]` → 28 × 28; anything else is not a grey image. */
function imageSize(inputShape: number[]): { height: number; width: number } | null {
  if (inputShape.length === 3 && inputShape[2] === 1)
    return { height: inputShape[0]!, width: inputShape[1]! };
  if (inputShape.length === 2) return { height: inputShape[0]!, width: inputShape[1]! };
  if (inputShape.length === 1) {
    const side = Math.round(Math.sqrt(inputShape[0]!));
    if (side * side === inputShape[0]) return { height: side, width: side };
  }
  return null;
}

/**
 * Reads what a model takes and gives from its `model.json` metadata, checking it against the
 * network's own output size. A model without the train container's metadata cannot be served:
 * the server would not know its classes or how to normalise its input.
 */
export function readModelSignature(
  metadata: Record<string, unknown>,
  outputClasses: number,
): ModelSignature {
  const kiln = metadata['kiln'] as KilnModelMetadata | undefined;
  if (!kiln || typeof kiln !== 'object') {
    throw unusable(
      "model.json has no userDefinedMetadata.kiln (classes, inputShape, normalization): it is not a model of Kiln's train container",
    );
  }
  const classes = kiln.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) {
    throw unusable('model.json: userDefinedMetadata.kiln.classes is not a list of class names');
  }
  if (classes.length !== outputClasses) {
    throw unusable(
      `model.json names ${classes.length} classes but the network outputs ${outputClasses} values`,
    );
  }
  if (!isNumberArray(kiln.inputShape)) {
    throw unusable('model.json: userDefinedMetadata.kiln.inputShape is not a shape');
  }
  const size = imageSize(kiln.inputShape);
  if (!size) {
    throw unusable(
      `model.json: input shape [${kiln.inputShape.join(', ')}] is not a grey image ([h, w], [h, w, 1] or [h·w])`,
    );
  }
  const { scale, offset, method } = kiln.normalization ?? {};
  if (typeof scale !== 'number' || typeof offset !== 'number') {
    throw unusable('model.json: userDefinedMetadata.kiln.normalization has no scale and offset');
  }
  return {
    classes: classes as string[],
    inputShape: kiln.inputShape,
    imageSize: size,
    normalization: { method: typeof method === 'string' ? method : 'custom', scale, offset },
    architecture: typeof kiln.architecture === 'string' ? kiln.architecture : 'unknown',
  };
}
