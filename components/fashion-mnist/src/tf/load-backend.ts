import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { datasetError } from '../util/dataset-error.js';
import type { Tf } from './tf-types.js';
import { installWasmMatMulFix } from './wasm-matmul-fix.js';

/** Which TensorFlow.js backend to ask for. */
export const BackendChoice = {
  /** The fastest that loads: tfjs-node-gpu, tfjs-node, wasm, then cpu. */
  Auto: 'auto',
  /** A native backend (tfjs-node-gpu or tfjs-node), or fail. */
  Native: 'native',
  Wasm: 'wasm',
  Cpu: 'cpu',
} as const;
export type BackendChoice = (typeof BackendChoice)[keyof typeof BackendChoice];

/** The loaded TensorFlow.js and what it runs on. */
export interface LoadedTensorFlow {
  tf: Tf;
  /** `tf.getBackend()`: `tensorflow` (native), `wasm` or `cpu`. */
  backend: string;
  /** The package that provided it. */
  packageName: string;
  /** True for tfjs-node and tfjs-node-gpu, which can train convolutions. */
  native: boolean;
  /** What was tried before, with why it did not load. */
  attempts: string[];
  /** For wasm: whether the SIMD binary runs. */
  simd?: boolean;
}

type Candidate = { packageName: string; backend: string; native: boolean };

const NATIVE_CANDIDATES: Candidate[] = [
  { packageName: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow', native: true },
  { packageName: '@tensorflow/tfjs-node', backend: 'tensorflow', native: true },
];

const require = createRequire(import.meta.url);

async function importOptional(specifier: string): Promise<Tf> {
  // A variable specifier: the native packages are optional and may be absent at compile time.
  const module = (await import(specifier)) as Tf & { default?: Tf };
  return module.default && typeof module.default.getBackend === 'function'
    ? module.default
    : module;
}

async function loadNative(candidate: Candidate): Promise<LoadedTensorFlow> {
  const tf = await importOptional(candidate.packageName);
  await tf.setBackend(candidate.backend);
  await tf.ready();
  return {
    tf,
    backend: tf.getBackend(),
    packageName: candidate.packageName,
    native: true,
    attempts: [],
  };
}

async function loadPortable(backend: 'wasm' | 'cpu'): Promise<LoadedTensorFlow> {
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  let simd: boolean | undefined;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the backend reads its .wasm binaries from disk: point it at the package's dist/.
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  }
  const ok = await tf.setBackend(backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== backend) {
    throw new Error(`tf.setBackend('${backend}') left the backend at '${tf.getBackend()}'`);
  }
  if (backend === 'wasm') installWasmMatMulFix(tf);
  const packageName = backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : '@tensorflow/tfjs';
  return { tf, backend, packageName, native: false, attempts: [], simd };
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error);
}

/**
 * Loads TensorFlow.js with the fastest backend that works, in the order tfjs-node-gpu,
 * tfjs-node, wasm, cpu (or only the one asked for), and checks that `tf.getBackend()` really
 * is that backend. Call it inside a build, never at module top level: the server process
 * imports tool modules too and must stay light.
 *
 * @param log - receives one line per attempt and the outcome.
 */
export async function loadTensorFlow(
  choice: BackendChoice = BackendChoice.Auto,
  log: (line: string) => void = () => {},
): Promise<LoadedTensorFlow> {
  const attempts: string[] = [];
  const steps: Array<{ name: string; load: () => Promise<LoadedTensorFlow> }> = [];
  if (choice === 'auto' || choice === 'native') {
    for (const candidate of NATIVE_CANDIDATES) {
      steps.push({ name: candidate.packageName, load: () => loadNative(candidate) });
    }
  }
  if (choice === 'auto' || choice === 'wasm')
    steps.push({ name: 'wasm', load: () => loadPortable('wasm') });
  if (choice === 'auto' || choice === 'cpu')
    steps.push({ name: 'cpu', load: () => loadPortable('cpu') });
  for (const step of steps) {
    try {
      const loaded = await step.load();
      // Production mode: no debug checks, and no console advertising of tfjs-node in a build log.
      loaded.tf.enableProdMode();
      loaded.attempts = attempts;
      const extra =
        loaded.backend === 'wasm' ? ` (SIMD ${loaded.simd ? 'on' : 'off'}, 1 thread)` : '';
      log(
        `TensorFlow.js ${loaded.tf.version.tfjs ?? ''}: backend '${loaded.backend}' from ${loaded.packageName}${extra}`,
      );
      return loaded;
    } catch (error) {
      attempts.push(`${step.name}: ${reason(error)}`);
      log(`TensorFlow.js backend ${step.name} did not load: ${reason(error)}`);
    }
  }
  throw datasetError(`no TensorFlow.js backend loaded for '${choice}' (${attempts.join('; ')})`);
}
