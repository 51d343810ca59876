import { ErrorCode, KilnError } from '@kiln/api';
import type { Sharp, SharpOptions } from 'sharp';
import { decodePgm, isPgm } from './pgm-decoder.js';

/** The formats `POST /models/{model}/predict` takes, as sharp names them (plus PGM). */
const ACCEPTED_FORMATS = new Set(['png', 'jpeg']);

type SharpFactory = (input?: Buffer, options?: SharpOptions) => Sharp;

let loading: Promise<SharpFactory> | undefined;

/**
 * sharp, imported on the first image: the server only pays for libvips once someone uploads an
 * image. libvips' operation cache is off (it would hold tens of MiB for images never seen
 * twice) and each image uses one thread (the container shares its cores with the models).
 */
function loadSharp(): Promise<SharpFactory> {
  loading ??= import('sharp').then((module) => {
    const sharp = module.default;
    sharp.cache(false);
    sharp.concurrency(1);
    return sharp as unknown as SharpFactory;
  });
  return loading;
}

function invalid(detail: string, cause?: unknown): KilnError {
  return new KilnError(ErrorCode.InvalidImage, detail, { status: 400, cause });
}

/** Maps sharp's (libvips') failures to a 4xx: the upload is at fault, never the server. */
function fromSharp(error: unknown, maxPixels: number): KilnError {
  const message = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(message)) {
    return new KilnError(
      ErrorCode.ImageTooLarge,
      `the image has more than ${maxPixels} pixels, the most this container accepts`,
      { status: 413, cause: error },
    );
  }
  if (/unsupported image format/i.test(message)) {
    return invalid('the file is not an image (send a PNG, JPEG or PGM file)', error);
  }
  return invalid(`the image could not be decoded: ${message.split('\n')[0]}`, error);
}

/**
 * Turns an uploaded image of any size and colour (PNG, JPEG or PGM) into the grey pixels a
 * model takes: EXIF orientation applied, transparency flattened onto black, converted to grey,
 * scaled to fit `height × width` keeping its proportions and centred on black (as Fashion-MNIST's
 * images were made), 8 bits a pixel. Anything that is not such an image is a 400; an image over
 * `maxPixels` pixels is a 413, refused from its header before it is decoded.
 */
export async function decodeImage(
  bytes: Buffer,
  size: { height: number; width: number },
  maxPixels: number,
): Promise<Uint8Array> {
  if (bytes.length === 0) throw invalid('the image part is empty');
  const sharp = await loadSharp();
  let image: Sharp;
  if (isPgm(bytes)) {
    const pgm = decodePgm(bytes, maxPixels);
    image = sharp(Buffer.from(pgm.pixels.buffer, pgm.pixels.byteOffset, pgm.pixels.length), {
      raw: { width: pgm.width, height: pgm.height, channels: 1 },
    });
  } else {
    image = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' });
    let format: string | undefined;
    try {
      const metadata = await image.metadata();
      format = metadata.format;
      if (!metadata.width || !metadata.height)
        throw invalid(`the image has no pixels (${metadata.width ?? 0}×${metadata.height ?? 0})`);
    } catch (error) {
      throw error instanceof KilnError ? error : fromSharp(error, maxPixels);
    }
    if (!format || !ACCEPTED_FORMATS.has(format)) {
      throw new KilnError(
        ErrorCode.UnsupportedMediaType,
        `${format ?? 'this'} images are not accepted; send a PNG, JPEG or PGM file`,
        { status: 415 },
      );
    }
    image = image.autoOrient();
  }
  try {
    const { data, info } = await image
      .flatten({ background: '#000000' })
      .greyscale()
      .resize(size.width, size.height, { fit: 'contain', background: '#000000' })
      .extractChannel(0)
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (
      info.width !== size.width ||
      info.height !== size.height ||
      data.length !== size.width * size.height
    ) {
      throw new Error(`resizing gave ${info.width}×${info.height}×${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (error) {
    throw error instanceof KilnError ? error : fromSharp(error, maxPixels);
  }
}

/** Encodes grey pixels as a PNG (a stored prediction's input). */
export async function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length), {
    raw: { width, height, channels: 1 },
  })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}
