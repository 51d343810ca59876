import { ErrorCode, KilnError, isValidName, type InputFileSpec } from '@kiln/api';
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { UploadFileWriter } from '../util/upload-file-writer.js';

/** What the storage engine records of each uploaded part. */
export interface UploadedFile {
  fieldname: string;
  originalname: string;
  path: string;
  size: number;
  sha256: string;
}

/** A multer storage engine that streams each part to disk and hashes it on the way (see UploadFileWriter). */
class HashingDiskStorage implements multer.StorageEngine {
  readonly #folder: string;

  constructor(folder: string) {
    this.#folder = folder;
  }

  _handleFile(
    _req: Request,
    file: Express.Multer.File,
    done: (error?: unknown, info?: Partial<UploadedFile>) => void,
  ): void {
    const path = join(this.#folder, randomUUID());
    const writer = new UploadFileWriter(path);
    pipeline(file.stream, writer).then(
      () => done(null, { path, size: writer.size, sha256: writer.digest() }),
      (error: unknown) => {
        void rm(path, { force: true });
        done(error);
      },
    );
  }

  _removeFile(_req: Request, file: Express.Multer.File, done: (error: Error | null) => void): void {
    rm(file.path, { force: true }).then(
      () => done(null),
      (error: Error) => done(error),
    );
  }
}

export interface MultipartOptions {
  uploadsDir: string;
  inputFiles: readonly InputFileSpec[];
  maxUploadBytes: number;
  /** Refuses a taken name before any file is written (the `name` field must come first). */
  nameTaken(name: string): Promise<boolean>;
}

/** The multer middleware for a tool's create requests. */
export function multipartUpload(options: MultipartOptions): RequestHandler {
  // Larger stream buffers than busboy's 16 KiB defaults: fewer, bigger chunks on large uploads.
  const streamOptions = { highWaterMark: 1 << 20, fileHwm: 1 << 20 } as multer.Options;
  const upload = multer({
    ...streamOptions,
    storage: new HashingDiskStorage(options.uploadsDir),
    limits: {
      fileSize: options.maxUploadBytes,
      fieldSize: 1 << 20,
      fields: 16,
      files: Math.max(options.inputFiles.length, 1),
      parts: options.inputFiles.length + 16,
    },
    fileFilter: (req, _file, accept) => {
      const name = (req.body as Record<string, unknown> | undefined)?.['name'];
      if (typeof name === 'string' && !isValidName(name)) {
        accept(
          new KilnError(ErrorCode.InvalidName, `'${name}' is not a valid artifact name`, {
            status: 400,
          }),
        );
      } else if (typeof name === 'string') {
        options.nameTaken(name).then(
          (taken) =>
            taken
              ? accept(
                  new KilnError(
                    ErrorCode.ArtifactExists,
                    `an artifact named '${name}' already exists`,
                    { status: 409 },
                  ),
                )
              : accept(null, true),
          (error: Error) => accept(error),
        );
      } else {
        accept(null, true);
      }
    },
  });
  return options.inputFiles.length > 0
    ? upload.fields(options.inputFiles.map((file) => ({ name: file.name, maxCount: 1 })))
    : upload.none();
}
