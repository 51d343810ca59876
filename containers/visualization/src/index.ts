/**
 * @module @kiln/visualization
 * Gathers the metrics of every artifact of a project: `GET /metrics`, the forwarded metric
 * views and a TensorBoard export (`GET /tensorboard`).
 */
export { createApp, type VisualizationDeps } from './app.js';
export { ContainerMetrics } from './upstream/container-metrics.js';
export { MetricCollector, type ArtifactSeries } from './metrics/metric-collector.js';
export { encodeEventFile, eventFileName, type SeriesData } from './tensorboard/event-file.js';
export {
  EVENT_TYPE,
  FILE_VERSION,
  encodeEvent,
  decodeEvent,
  type TensorBoardEvent,
  type ScalarValue,
} from './tensorboard/event-proto.js';
export { frameRecord, maskedCrc32c, readRecords, TfRecordError } from './tensorboard/tfrecord.js';
