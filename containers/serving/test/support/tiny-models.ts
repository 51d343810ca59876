import {
  artifactUrl,
  buildArtifact,
  startTool,
  writeTinyFashionMnist,
  type ToolHandle,
} from '@kiln/fashion-mnist/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = (path: string): string =>
  fileURLToPath(new URL(`../../../../${path}`, import.meta.url));

/** Real model artifacts made by a tiny real training, and the dataset they are evaluated on. */
export interface TinyModels {
  /** URLs of completed model artifacts of the real train container. */
  models: string[];
  /** URL of the export artifact whose `test` set evaluates them. */
  evaluation: string;
  /** URL of a broken copy of the first model (see `test/fixtures/bad-model-tool.mjs`). */
  broken(mode: 'no-metadata' | 'truncated-weights'): Promise<string>;
  close(): Promise<void>;
}

/**
 * Trains `count` tiny dense networks with the real import, process, export, split and train
 * containers (in-process, on loopback) on synthetic Fashion-MNIST look-alikes: a second or two.
 */
export async function buildTinyModels(count = 2): Promise<TinyModels> {
  const root = await mkdtemp(join(tmpdir(), 'kiln-serving-models-'));
  const idx = join(root, 'idx');
  await writeTinyFashionMnist(idx, { train: 200, test: 50 });
  const names = ['import', 'process', 'export', 'split', 'train'] as const;
  const tools: Record<string, ToolHandle> = {};
  for (const name of names) tools[name] = await startTool(repo(`containers/${name}/dist/tool.js`));
  const bad = await startTool(repo('containers/serving/test/fixtures/bad-model-tool.mjs'));
  const url = (tool: string, artifact: string) => artifactUrl(tools[tool]!.url, artifact);
  await buildArtifact(tools['import']!.url, 'raw', { source: 'path', path: idx });
  await buildArtifact(tools['process']!.url, 'unit', { dataset: url('import', 'raw') });
  await buildArtifact(tools['export']!.url, 'tensors', { dataset: url('process', 'unit') });
  await buildArtifact(tools['split']!.url, 'split', {
    dataset: url('export', 'tensors'),
    validationFraction: 0.2,
  });
  const models: string[] = [];
  for (let i = 1; i <= count; i++) {
    await buildArtifact(tools['train']!.url, `model-${i}`, {
      dataset: url('split', 'split'),
      hiddenUnits: [8 + 8 * i],
      epochs: 2,
      batchSize: 32,
      learningRate: 0.01,
      seed: i,
      backend: 'wasm',
    });
    models.push(url('train', `model-${i}`));
  }
  return {
    models,
    evaluation: url('export', 'tensors'),
    broken: async (mode) => {
      await buildArtifact(bad.url, mode, { model: models[0], mode });
      return artifactUrl(bad.url, mode);
    },
    close: async () => {
      await Promise.all([...Object.values(tools), bad].map((tool) => tool.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
