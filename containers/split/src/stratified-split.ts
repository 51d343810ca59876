import { datasetError, seededRandom, shuffleInPlace } from '@kiln/fashion-mnist';

/** What {@link splitIndices} needs. */
export interface SplitInput {
  /** Class index of each row. */
  labels: Uint8Array;
  /** Row of the original of each row (augmented sets); every row is an original without it. */
  origins?: Uint32Array;
  classCount: number;
  validationFraction: number;
  seed: number;
  stratify: boolean;
}

/** Rows of each side, ascending. */
export interface SplitIndices {
  train: Uint32Array;
  validation: Uint32Array;
  /** Validation images per class. */
  validationPerClass: number[];
}

function originalRows(input: SplitInput): number[] {
  const rows: number[] = [];
  for (let r = 0; r < input.labels.length; r++) {
    if (!input.origins || input.origins[r] === r) rows.push(r);
  }
  return rows;
}

function pickValidation(originals: number[], input: SplitInput): number[] {
  const random = seededRandom(input.seed);
  const groups: number[][] = input.stratify
    ? Array.from({ length: input.classCount }, () => [])
    : [[]];
  for (const row of originals)
    groups[input.stratify ? (input.labels[row] as number) : 0]?.push(row);
  const picked: number[] = [];
  for (const group of groups) {
    shuffleInPlace(group, random);
    picked.push(...group.slice(0, Math.round(group.length * input.validationFraction)));
  }
  return picked;
}

/**
 * A seeded train/validation split. Stratified, each class contributes `round(n_c × fraction)`
 * of its originals to validation. Augmented copies follow their original: copies of validation
 * images are dropped (validation holds originals only), copies of training images stay in
 * training. Throws a 422-like error when either side would be empty.
 */
export function splitIndices(input: SplitInput): SplitIndices {
  const originals = originalRows(input);
  if (originals.length === 0) throw datasetError('dataset: the set to split is empty');
  const validationRows = pickValidation(originals, input);
  const describe = `${input.validationFraction} of ${originals.length} images${input.stratify ? ', per class' : ''}`;
  if (validationRows.length === 0) {
    throw datasetError(
      `the validation set would be empty (${describe} rounds to 0); raise validationFraction or import more images`,
    );
  }
  if (validationRows.length === originals.length) {
    throw datasetError(
      `the training set would be empty (${describe} takes every image); lower validationFraction`,
    );
  }
  const inValidation = new Uint8Array(input.labels.length);
  for (const row of validationRows) inValidation[row] = 1;
  const train: number[] = [];
  for (let r = 0; r < input.labels.length; r++) {
    const origin = input.origins ? (input.origins[r] as number) : r;
    if (!inValidation[origin]) train.push(r);
  }
  const validation = Uint32Array.from(validationRows).sort();
  const validationPerClass = new Array<number>(input.classCount).fill(0);
  for (const row of validation) validationPerClass[input.labels[row] as number]! += 1;
  return { train: Uint32Array.from(train), validation, validationPerClass };
}
