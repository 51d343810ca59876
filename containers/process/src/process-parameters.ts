import type { JsonSchema } from '@kiln/api';
import type { NormalizationMethod } from '@kiln/fashion-mnist';

/** The process tool's parameters, after validation and defaults. */
export interface ProcessParameters {
  /** URL of an import (or process) artifact. */
  dataset: string;
  normalization: NormalizationMethod;
  augmentation: {
    copies: number;
    flip: boolean;
    maxShift: number;
  };
  seed: number;
}

/** JSON Schema 2020-12 of the parameters. */
export const PROCESS_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      format: 'kiln-artifact',
      description: 'URL of a completed import artifact (http://host/artifacts/<name>/)',
    },
    normalization: {
      enum: ['unit', 'standard', 'none'],
      default: 'unit',
      description:
        'Network input: "unit" = pixel/255 in [0,1]; "standard" = (pixel/255 - mean)/std with the training set\'s mean and std; "none" = raw 0-255',
    },
    augmentation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description:
        'Augmented copies of the training images, appended to the training set (the test set is never augmented)',
      properties: {
        copies: {
          type: 'integer',
          minimum: 0,
          maximum: 10,
          default: 0,
          description: 'Augmented copies of each training image; 0 = no augmentation',
        },
        flip: {
          type: 'boolean',
          default: true,
          description: 'Flip each copy left-right with probability 1/2',
        },
        maxShift: {
          type: 'integer',
          minimum: 0,
          maximum: 8,
          default: 2,
          description:
            'Shift each copy by up to this many pixels in x and y (blank pixels are filled with 0)',
        },
      },
    },
    seed: { type: 'integer', minimum: 0, default: 1, description: 'Seed of the augmentation' },
  },
};
