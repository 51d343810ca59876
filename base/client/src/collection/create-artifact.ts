import type { ArtifactSummary, CreateArtifactRequest } from '@kiln/api';
import type { Progress } from 'got';
import type { HttpClient } from '../http/http-client.js';
import {
  encodeMultipart,
  fileParts,
  type InputFile,
  type MultipartPart,
} from '../http/multipart-body.js';
import type { CallOptions } from '../kiln-options.js';
import { assertName } from './names.js';

/** Bytes of an upload sent so far. */
export interface UploadProgress {
  transferred: number;
  /** Undefined while a stream of unknown size is being sent. */
  total: number | undefined;
}

/** Options of `create()` (and `run()` on a pipeline). */
export interface CreateOptions extends CallOptions, CreateArtifactRequest {
  /**
   * Input files by input-file name (see `describe().inputFiles`): local paths or readable
   * streams. With files the request is multipart, streamed without buffering.
   */
  files?: Record<string, InputFile>;
  /** Called as the request body is sent. */
  onUploadProgress?: (progress: UploadProgress) => void;
}

/** `POST /{collection}`: JSON, or multipart when there are files. */
export async function createArtifact(
  http: HttpClient,
  collection: string,
  options: CreateOptions,
): Promise<ArtifactSummary> {
  const { files, onUploadProgress, signal, timeout, ...request } = options;
  if (request.name !== undefined)
    assertName(request.name, collection === 'runs' ? 'run' : 'artifact');
  const call: CallOptions = {
    ...(signal ? { signal } : {}),
    ...(timeout === undefined ? {} : { timeout }),
  };
  const progress = onUploadProgress
    ? (p: Progress) => onUploadProgress({ transferred: p.transferred, total: p.total })
    : undefined;
  const body: CreateArtifactRequest = {
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.parameters === undefined ? {} : { parameters: request.parameters }),
    ...(request.cache === undefined ? {} : { cache: request.cache }),
    ...(request.callback === undefined ? {} : { callback: request.callback }),
  };
  if (!files || Object.keys(files).length === 0) {
    return http.json('POST', collection, {
      json: body,
      call,
      ...(progress ? { onUploadProgress: progress } : {}),
    });
  }
  const multipart = encodeMultipart([...fieldParts(body), ...(await fileParts(files))]);
  return http.json('POST', collection, {
    body: multipart.body,
    headers: {
      'content-type': multipart.contentType,
      ...(multipart.length === undefined ? {} : { 'content-length': String(multipart.length) }),
    },
    // An upload takes as long as it takes: the call's timeout only bounds it when the caller set one.
    call: { ...call, timeout: timeout ?? 0 },
    ...(progress ? { onUploadProgress: progress } : {}),
  });
}

/** The form fields of a multipart create: `name`, `parameters` (a JSON string), `cache`, `callback`. */
function fieldParts(body: CreateArtifactRequest): MultipartPart[] {
  const parts: MultipartPart[] = [];
  if (body.name !== undefined) parts.push({ name: 'name', value: body.name });
  if (body.parameters !== undefined)
    parts.push({ name: 'parameters', value: JSON.stringify(body.parameters) });
  if (body.cache !== undefined) parts.push({ name: 'cache', value: String(body.cache) });
  if (body.callback !== undefined) parts.push({ name: 'callback', value: body.callback });
  return parts;
}
