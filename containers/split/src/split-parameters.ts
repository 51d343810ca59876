import type { JsonSchema } from '@kiln/api';

/** The split tool's parameters, after validation and defaults. */
export interface SplitParameters {
  /** URL of an export (or process, or import) artifact. */
  dataset: string;
  validationFraction: number;
  seed: number;
  stratify: boolean;
  /** The set to split. */
  from: string;
  /** URL of a labelled-dataset artifact whose training examples join the training side. */
  extra?: string;
  /** How many times each extra example is added. */
  extraCopies: number;
}

/** JSON Schema 2020-12 of the parameters. */
export const SPLIT_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      format: 'kiln-artifact',
      description: 'URL of a completed export artifact (process and import artifacts work too)',
    },
    validationFraction: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: 0.1,
      description: 'Share of the images that go to the validation set (per class when stratified)',
    },
    seed: {
      type: 'integer',
      minimum: 0,
      default: 42,
      description: 'Seed of the shuffle: same seed, same split',
    },
    stratify: {
      type: 'boolean',
      default: true,
      description: 'Keep each class in the same proportion on both sides',
    },
    from: {
      type: 'string',
      minLength: 1,
      default: 'train',
      description: 'The set of the dataset to split',
    },
    extra: {
      type: 'string',
      format: 'kiln-artifact',
      description:
        "URL of a labelled-dataset artifact (IDX train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], as the serving container's snapshots of labels hold) whose examples are added to the training side, never to validation",
    },
    extraCopies: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 1,
      description: 'How many times each extra example is added to the training side',
    },
  },
};
