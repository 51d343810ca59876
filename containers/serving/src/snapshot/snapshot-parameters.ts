import { NAME_PATTERN, type JsonSchema } from '@kiln/api';

/** A snapshot's parameters, after validation. */
export interface SnapshotParameters {
  /** The model whose labels it holds. */
  model: string;
  /** Only the labels up to this feedback sequence number (all when absent). */
  through?: number;
}

/** What the serving container tells its snapshot builds (`ctx.settings`). */
export interface SnapshotSettings {
  /** The serving database's path. */
  database: string;
}

/** JSON Schema 2020-12 of a snapshot's parameters. */
export const SNAPSHOT_PARAMETERS_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    model: {
      type: 'string',
      pattern: NAME_PATTERN.source,
      description: 'The model whose labels the snapshot holds',
    },
    through: {
      type: 'integer',
      minimum: 1,
      description:
        "Only the labels given up to this point (the container's feedback sequence number): a retraining run fixes its snapshot so. All the model's labels when absent",
    },
  },
};
