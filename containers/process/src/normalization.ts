import type { Normalization, NormalizationMethod } from '@kiln/fashion-mnist';

/** Mean and standard deviation of `pixel / 255` over the images. */
export function pixelStatistics(pixels: Uint8Array): { mean: number; std: number } {
  const histogram = new Float64Array(256);
  for (const value of pixels) histogram[value] = (histogram[value] ?? 0) + 1;
  let sum = 0;
  let squares = 0;
  histogram.forEach((count, value) => {
    const x = value / 255;
    sum += count * x;
    squares += count * x * x;
  });
  const n = Math.max(1, pixels.length);
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)) };
}

/**
 * The normalisation of a method, as the affine map from pixels to network inputs.
 * `standard` needs the training pixels' statistics.
 */
export function normalizationFor(
  method: NormalizationMethod,
  trainPixels: Uint8Array,
): Normalization {
  if (method === 'none') return { method, scale: 1, offset: 0 };
  if (method === 'unit') return { method, scale: 1 / 255, offset: 0 };
  const { mean, std } = pixelStatistics(trainPixels);
  const safeStd = std > 0 ? std : 1;
  return { method, scale: 1 / (255 * safeStd), offset: -mean / safeStd, mean, std };
}
