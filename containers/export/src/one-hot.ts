/** One-hot rows (float32 [labels.length, classCount]) of class indices. */
export function oneHot(labels: Uint8Array, classCount: number): Float32Array {
  const out = new Float32Array(labels.length * classCount);
  labels.forEach((label, i) => {
    out[i * classCount + label] = 1;
  });
  return out;
}
