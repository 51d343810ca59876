import type { JsonSchema } from '@kiln/api';

/** Element type of the exported images. */
export const ExportDtype = { Float32: 'float32', Uint8: 'uint8' } as const;
export type ExportDtype = (typeof ExportDtype)[keyof typeof ExportDtype];

/** Shape of one exported image. */
export const ExportLayout = {
  /** `[28, 28, 1]`: height, width, channels (TensorFlow's default). */
  Nhwc: 'nhwc',
  /** `[784]`: one flat vector an image. */
  Flat: 'flat',
} as const;
export type ExportLayout = (typeof ExportLayout)[keyof typeof ExportLayout];

/** The export tool's parameters, after validation and defaults. */
export interface ExportParameters {
  /** URL of a process (or import) artifact. */
  dataset: string;
  dtype: ExportDtype;
  layout: ExportLayout;
  oneHot: boolean;
}

/** JSON Schema 2020-12 of the parameters. */
export const EXPORT_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['dataset'],
  properties: {
    dataset: {
      type: 'string',
      format: 'kiln-artifact',
      description: 'URL of a completed process (or import) artifact',
    },
    dtype: {
      enum: Object.values(ExportDtype),
      default: ExportDtype.Float32,
      description:
        '"float32": normalised network inputs; "uint8": raw pixels, 4x smaller, with the normalisation (input = pixel * scale + offset) in the manifest',
    },
    layout: {
      enum: Object.values(ExportLayout),
      default: ExportLayout.Nhwc,
      description: 'Shape of one image: "nhwc" = [28, 28, 1], "flat" = [784]',
    },
    oneHot: {
      type: 'boolean',
      default: false,
      description: 'Also write one-hot labels (float32 [count, 10]) beside the class indices',
    },
  },
};
