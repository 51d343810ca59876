import { ErrorCode, KilnError } from '@kiln/api';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';

/** The multipart part an image is sent in. */
const IMAGE_PART = 'image';

const uploads = new Map<number, RequestHandler>();

/** multer for one image in memory, made once per size limit. */
function imageUpload(maxBytes: number): RequestHandler {
  let upload = uploads.get(maxBytes);
  if (!upload) {
    upload = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 4096, parts: 9 },
    }).single(IMAGE_PART);
    uploads.set(maxBytes, upload);
  }
  return upload;
}

/** multer's and busboy's failures as 4xx problems: the body is at fault. */
function toProblem(error: unknown, maxBytes: number): KilnError {
  const code = (error as { code?: unknown }).code;
  const field = (error as { field?: unknown }).field;
  if (code === 'LIMIT_FILE_SIZE') {
    return new KilnError(
      ErrorCode.PayloadTooLarge,
      `the image is larger than ${maxBytes} bytes, the most this container accepts`,
      { status: 413 },
    );
  }
  if (code === 'LIMIT_UNEXPECTED_FILE' || code === 'LIMIT_FILE_COUNT') {
    return new KilnError(
      ErrorCode.UnknownField,
      `'${String(field ?? '')}' is not a part of this request; send one file as the '${IMAGE_PART}' part`,
      { status: 400 },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KilnError(ErrorCode.MalformedMultipart, `the multipart body was refused: ${message}`, {
    status: 400,
  });
}

/**
 * Reads the `image` part of a `multipart/form-data` request into memory (images are small and
 * must be decoded whole anyway), refusing a body that is not multipart (415), a part over
 * `maxBytes` (413) and a request without an image (400).
 */
export async function readImagePart(
  req: Request,
  res: Response,
  maxBytes: number,
): Promise<Buffer> {
  if (!req.is('multipart/form-data')) {
    throw new KilnError(
      ErrorCode.UnsupportedMediaType,
      `send the image as multipart/form-data, in a part named '${IMAGE_PART}'`,
      { status: 415 },
    );
  }
  await new Promise<void>((resolve, reject) => {
    imageUpload(maxBytes)(req, res, (error?: unknown) =>
      error ? reject(toProblem(error, maxBytes)) : resolve(),
    );
  });
  if (!req.file) {
    throw new KilnError(
      ErrorCode.InvalidImage,
      `no '${IMAGE_PART}' part: send the image file in it`,
      {
        status: 400,
      },
    );
  }
  return req.file.buffer;
}
