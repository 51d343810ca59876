import protobuf from 'protobufjs';

/**
 * The subset of TensorFlow's `Event` and `Summary` messages (tensorflow/core/util/event.proto,
 * tensorflow/core/framework/summary.proto) that TensorBoard needs for scalar curves. Field ids
 * are the upstream ones; the names are protobufjs's camelCase forms.
 */
const EVENT_SCHEMA = {
  nested: {
    tensorboard: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
              },
            },
          },
        },
      },
    },
  },
};

const ROOT = protobuf.Root.fromJSON(EVENT_SCHEMA);

/** The protobufjs type of TensorFlow's `Event` message. */
export const EVENT_TYPE: protobuf.Type = ROOT.lookupType('tensorboard.Event');

/** The `file_version` every TensorBoard event file starts with. */
export const FILE_VERSION = 'brain.Event:2';

/** One scalar of a `Summary`. */
export interface ScalarValue {
  tag: string;
  simpleValue: number;
}

/** An `Event` as this package writes it: either the file version or one summary. */
export interface TensorBoardEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: ScalarValue[] };
}

/** Serialises an event to protobuf bytes. */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  return EVENT_TYPE.encode(EVENT_TYPE.fromObject(event)).finish();
}

/** Parses protobuf bytes back into an event (int64 steps as numbers). */
export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const message = EVENT_TYPE.decode(bytes);
  return EVENT_TYPE.toObject(message, {
    longs: Number,
    defaults: true,
    oneofs: false,
  }) as TensorBoardEvent;
}
