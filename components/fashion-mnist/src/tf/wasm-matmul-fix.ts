import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './tf-types.js';

type MatMulAttrs = { transposeA: boolean; transposeB: boolean };

/** Copies the last two dimensions of `t` transposed into a new tensor on the wasm heap. */
function transposeOnHeap(backend: BackendWasm, t: TensorInfo): TensorInfo {
  const shape = t.shape;
  const rows = shape[shape.length - 2] ?? 1;
  const cols = shape[shape.length - 1] ?? 1;
  const batch = shape.slice(0, -2).reduce((product, size) => product * size, 1);
  const out = backend.makeOutput([...shape.slice(0, -2), cols, rows], t.dtype);
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  for (let b = 0; b < batch; b++) {
    const base = b * rows * cols;
    for (let i = 0; i < rows; i++) {
      const row = base + i * cols;
      for (let j = 0; j < cols; j++) dst[base + j * rows + i] = src[row + j] as number;
    }
  }
  return out;
}

/**
 * Makes the wasm backend's transposed matrix products fast, for training.
 *
 * The wasm `BatchMatMul` kernel sends only untransposed products to XNNPACK and runs the rest
 * through a naive loop about ten times slower. The backward pass of a dense layer needs exactly
 * those (`xᵀ·dy` and `dy·Wᵀ`), so on 2 cores they dominated an epoch. This wraps the kernel:
 * a transposed operand is first copied transposed on the heap (cheap next to the product), then
 * the original kernel runs untransposed on XNNPACK. Results are identical. Call it once after
 * `tf.setBackend('wasm')`; calling it again does nothing.
 */
export function installWasmMatMulFix(tf: Tf): boolean {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  if (!original || (original as { kilnFixed?: boolean }).kilnFixed) return false;
  const kernelFunc = original.kernelFunc;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  const fixed = {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kilnFixed: true,
    kernelFunc: (args: Parameters<typeof kernelFunc>[0]) => {
      const attrs = args.attrs as unknown as MatMulAttrs;
      if (!attrs.transposeA && !attrs.transposeB) return kernelFunc(args);
      const backend = args.backend as BackendWasm;
      const temporaries: TensorInfo[] = [];
      let a = args.inputs['a'] as TensorInfo;
      let b = args.inputs['b'] as TensorInfo;
      if (attrs.transposeA) temporaries.push((a = transposeOnHeap(backend, a)));
      if (attrs.transposeB) temporaries.push((b = transposeOnHeap(backend, b)));
      try {
        return kernelFunc({
          ...args,
          inputs: { ...args.inputs, a, b },
          attrs: { ...args.attrs, transposeA: false, transposeB: false },
        });
      } finally {
        for (const t of temporaries) backend.disposeData(t.dataId);
      }
    },
  };
  tf.registerKernel(fixed);
  return true;
}
