import { randomInt, type Random } from '@kiln/fashion-mnist';

/** How one image is transformed. */
export interface ImageTransform {
  flip: boolean;
  dx: number;
  dy: number;
}

/** Draws a transform: a flip with probability 1/2 (if allowed), shifts in [-maxShift, maxShift]. */
export function randomTransform(random: Random, flip: boolean, maxShift: number): ImageTransform {
  return {
    flip: flip && random() < 0.5,
    dx: randomInt(random, 2 * maxShift + 1) - maxShift,
    dy: randomInt(random, 2 * maxShift + 1) - maxShift,
  };
}

/**
 * Writes `src` (one rows x cols image) flipped left-right if asked, then shifted by (dx, dy),
 * into `dst`; pixels shifted in from outside are 0 (the background of Fashion-MNIST).
 */
export function transformImage(
  src: Uint8Array,
  dst: Uint8Array,
  rows: number,
  cols: number,
  transform: ImageTransform,
): void {
  const { flip, dx, dy } = transform;
  for (let y = 0; y < rows; y++) {
    const sy = y - dy;
    for (let x = 0; x < cols; x++) {
      const shifted = x - dx;
      const sx = flip ? cols - 1 - shifted : shifted;
      dst[y * cols + x] =
        sy >= 0 && sy < rows && shifted >= 0 && shifted < cols
          ? (src[sy * cols + sx] as number)
          : 0;
    }
  }
}
