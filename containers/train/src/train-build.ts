import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildContext } from '@kiln/core';
import {
  datasetError,
  loadInMemorySet,
  loadTensorFlow,
  readDatasetManifest,
  requireSet,
  saveLayersModel,
  type LoadedTensorFlow,
} from '@kiln/fashion-mnist';
import { buildModel } from './model-factory.js';
import type { TrainParameters } from './train-parameters.js';
import { trainModel, type EpochResult } from './training-loop.js';

/** The file with the training run's figures, beside model.json and weights.bin. */
export const TRAINING_FILE = 'training.json';

function checkArchitecture(parameters: TrainParameters, loaded: LoadedTensorFlow): void {
  if (parameters.architecture !== 'conv' || loaded.native) return;
  throw datasetError(
    `architecture "conv" needs a native TensorFlow.js backend (@tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu); this container loaded '${loaded.backend}', which cannot train convolutions. Use architecture "dense" or "linear", or install @tensorflow/tfjs-node in the train container (docs/example-containers.md).`,
  );
}

function emitEpoch(ctx: BuildContext<TrainParameters>, result: EpochResult): void {
  ctx.metric('loss', result.loss, result.epoch);
  ctx.metric('accuracy', result.accuracy, result.epoch);
  if (result.valLoss !== undefined) ctx.metric('val_loss', result.valLoss, result.epoch);
  if (result.valAccuracy !== undefined)
    ctx.metric('val_accuracy', result.valAccuracy, result.epoch);
  ctx.metric('learning_rate', result.learningRate, result.epoch);
  ctx.metric('samples_per_second', result.samplesPerSecond, result.epoch);
  const validation =
    result.valAccuracy === undefined
      ? ''
      : ` val_loss ${result.valLoss?.toFixed(4)} val_accuracy ${result.valAccuracy.toFixed(4)}`;
  ctx.log(
    `epoch ${result.epoch}: loss ${result.loss.toFixed(4)} accuracy ${result.accuracy.toFixed(4)}${validation} lr ${result.learningRate.toExponential(2)} ${result.seconds.toFixed(1)}s ${Math.round(result.samplesPerSecond)} samples/s`,
  );
}

/**
 * Builds a train artifact: loads the fastest TensorFlow.js backend, reads the dataset's
 * training (and validation) set, trains the chosen network streaming per-epoch metrics, and
 * saves it in the TensorFlow.js format (model.json + weights.bin) with `training.json`.
 */
export async function buildTrain(ctx: BuildContext<TrainParameters>): Promise<void> {
  const parameters = ctx.parameters;
  const loaded = await loadTensorFlow(parameters.backend, (line) => ctx.log(line));
  checkArchitecture(parameters, loaded);
  const { tf } = loaded;
  const inputDir = ctx.inputs['dataset'] as string;
  const manifest = await readDatasetManifest(inputDir, 'dataset');
  const trainSet = requireSet(manifest, 'train', 'dataset');
  const validationSet = manifest.sets['validation'];
  const train = await loadInMemorySet(inputDir, trainSet, manifest.normalization);
  const validation = validationSet
    ? await loadInMemorySet(inputDir, validationSet, manifest.normalization)
    : undefined;
  if (train.count === 0) throw datasetError('dataset: the training set is empty');
  ctx.log(
    `data: ${train.count} training images${validation ? `, ${validation.count} validation images` : ' (no validation set: no val_ metrics)'}, input [${manifest.imageShape.join(', ')}], normalization ${manifest.normalization.method}`,
  );
  const classCount = manifest.classes.length;
  const model = buildModel(tf, {
    architecture: parameters.architecture,
    inputShape: manifest.imageShape,
    classCount,
    hiddenUnits: parameters.hiddenUnits,
    dropout: parameters.dropout,
    seed: parameters.seed,
  });
  ctx.log(
    `model: ${parameters.architecture}, ${model.countParams()} parameters, layers ${model.layers.map((l) => l.getClassName()).join(' → ')}`,
  );
  try {
    const result = await trainModel({
      tf,
      model,
      train,
      validation,
      inputShape: manifest.imageShape,
      classCount,
      epochs: parameters.epochs,
      batchSize: parameters.batchSize,
      learningRate: parameters.learningRate,
      finalLearningRate: parameters.finalLearningRate,
      schedule: parameters.learningRateSchedule,
      warmupEpochs: parameters.warmupEpochs,
      labelSmoothing: parameters.labelSmoothing,
      seed: parameters.seed,
      signal: ctx.signal,
      onEpoch: (epoch) => emitEpoch(ctx, epoch),
      onProgress: (fraction, message) => ctx.progress(0.98 * fraction, message),
    });
    ctx.log(
      `trained ${parameters.epochs} epochs in ${result.trainSeconds.toFixed(1)}s (${result.cpuSeconds.toFixed(1)} CPU s with validation): ${Math.round(result.samplesPerSecond)} samples/s on '${loaded.backend}'`,
    );
    const summary = {
      backend: loaded.backend,
      backendPackage: loaded.packageName,
      backendAttempts: loaded.attempts,
      architecture: parameters.architecture,
      parameterCount: model.countParams(),
      classes: manifest.classes,
      inputShape: manifest.imageShape,
      normalization: manifest.normalization,
      trainCount: train.count,
      validationCount: validation?.count ?? 0,
      samplesPerSecond: result.samplesPerSecond,
      trainSeconds: result.trainSeconds,
      trainCpuSeconds: result.cpuSeconds,
      final: result.history.at(-1),
      parameters,
    };
    model.setUserDefinedMetadata({
      kiln: {
        classes: manifest.classes,
        inputShape: manifest.imageShape,
        normalization: manifest.normalization,
        architecture: parameters.architecture,
      },
    });
    await saveLayersModel(tf, model, ctx.outputDir);
    await writeFile(
      join(ctx.outputDir, TRAINING_FILE),
      `${JSON.stringify({ ...summary, history: result.history }, null, 2)}\n`,
    );
    ctx.report('training', summary);
    ctx.progress(1, 'saved');
  } finally {
    model.dispose();
  }
}
