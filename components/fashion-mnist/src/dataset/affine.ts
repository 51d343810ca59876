/**
 * A per-pixel affine map `value = pixel * scale + offset`. Every normalisation the tools offer
 * is one, so data can stay as exact uint8 pixels with the map recorded beside it.
 */
export interface Affine {
  scale: number;
  offset: number;
}

/** The identity map: values are the raw pixels 0-255. */
export const IDENTITY_AFFINE: Affine = { scale: 1, offset: 0 };

/**
 * The map from stored values to network inputs: the stored values are `pixel * stored.scale +
 * stored.offset`, the network wants `pixel * wanted.scale + wanted.offset`.
 */
export function affineBetween(stored: Affine, wanted: Affine): Affine {
  const scale = wanted.scale / stored.scale;
  return { scale, offset: wanted.offset - stored.offset * scale };
}

/** Whether two maps agree to float32 precision. */
export function sameAffine(a: Affine, b: Affine): boolean {
  const close = (x: number, y: number) =>
    Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
  return close(a.scale, b.scale) && close(a.offset, b.offset);
}

/**
 * Writes `values[i] * map.scale + map.offset` into `out` (a Float32Array of the same length).
 */
export function applyAffine(
  values: ArrayLike<number>,
  map: Affine,
  out: Float32Array,
): Float32Array {
  const { scale, offset } = map;
  for (let i = 0; i < out.length; i++) out[i] = (values[i] as number) * scale + offset;
  return out;
}
