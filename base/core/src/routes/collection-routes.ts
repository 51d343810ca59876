import { ARTIFACT_STATUSES, ErrorCode, KilnError, type ArtifactStatus } from '@kiln/api';
import express, { type Request, type Response } from 'express';
import { rm } from 'node:fs/promises';
import type { UploadedFile } from '../http/multipart-upload.js';
import { oneOf } from '../http/query.js';
import { SUMMARY_REF } from '../http/openapi.js';
import type { RouteSpec } from '../http/route-spec.js';
import type { CreateInput } from '../server/artifact-creator.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { firstNonFinite, nestsDeeperThan } from '../util/json-shape.js';

const JSON_LIMIT = '1mb';
const CREATE_FIELDS = new Set(['name', 'parameters', 'cache', 'callback']);
/**
 * The deepest a create body may nest. Far beyond any parameters schema, and far below what
 * would overflow the stack of the validator, which recurses (a body of 1 MiB can nest 500,000
 * levels deep).
 */
const MAX_BODY_DEPTH = 64;
/** A multipart content type must name its boundary: busboy reads an empty one as no parts. */
const MULTIPART_BOUNDARY = /;\s*boundary=(?:"[^"]+"|[^\s;"]+)/i;

/**
 * Refuses what the parameter validator cannot judge: nesting deep enough to overflow its stack,
 * and numbers too large for a double (`1e400` parses as Infinity, which `type: integer` accepts).
 */
function checkShape(value: unknown, what: string, parameters: unknown): void {
  if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
    throw new KilnError(
      ErrorCode.NestingTooDeep,
      `${what} nests deeper than ${MAX_BODY_DEPTH} levels`,
      { status: 400 },
    );
  }
  const pointer = firstNonFinite(parameters);
  if (pointer !== null) {
    throw new KilnError(
      ErrorCode.ValidationFailed,
      `the parameters are not valid: ${pointer || '/'} is a number too large for a double`,
      { status: 422, errors: [{ path: pointer, message: 'must be a finite number' }] },
    );
  }
}

function runMiddleware(
  handler: express.RequestHandler,
  req: Request,
  res: Response,
): Promise<void> {
  return new Promise((done, fail) =>
    handler(req, res, (error?: unknown) => (error ? fail(error) : done())),
  );
}

function badRequest(code: (typeof ErrorCode)[keyof typeof ErrorCode], detail: string): KilnError {
  return new KilnError(code, detail, { status: 400 });
}

/** The files multer stored for this request (`fields()` gives a record of arrays). */
function uploadedFiles(req: Request): UploadedFile[] {
  return Object.values((req.files ?? {}) as unknown as Record<string, UploadedFile[]>).flat();
}

function fromJson(body: unknown): CreateInput {
  checkShape(body, 'the body', (body as { parameters?: unknown } | null)?.parameters);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(ErrorCode.BadRequest, 'the body must be a JSON object');
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !CREATE_FIELDS.has(key));
  if (unknown.length > 0)
    throw badRequest(ErrorCode.UnknownField, `unknown fields: ${unknown.join(', ')}`);
  if (fields['name'] !== undefined && typeof fields['name'] !== 'string')
    throw badRequest(ErrorCode.InvalidName, "'name' must be a string");
  if (fields['cache'] !== undefined && typeof fields['cache'] !== 'boolean')
    throw badRequest(ErrorCode.BadRequest, "'cache' must be a boolean");
  if (fields['callback'] !== undefined && typeof fields['callback'] !== 'string')
    throw badRequest(ErrorCode.BadRequest, "'callback' must be a string");
  return {
    name: fields['name'] as string | undefined,
    parameters: fields['parameters'],
    cache: fields['cache'] === true,
    callback: fields['callback'] as string | undefined,
    files: [],
  };
}

function fromMultipart(req: Request): CreateInput {
  const fields = (req.body ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !CREATE_FIELDS.has(key));
  if (unknown.length > 0)
    throw badRequest(ErrorCode.UnknownField, `unknown fields: ${unknown.join(', ')}`);
  let parameters: unknown = {};
  if (typeof fields['parameters'] === 'string' && fields['parameters'].trim() !== '') {
    try {
      parameters = JSON.parse(fields['parameters']);
    } catch {
      throw badRequest(ErrorCode.MalformedJson, "the 'parameters' field is not valid JSON");
    }
    checkShape(parameters, "the 'parameters' field", parameters);
  }
  const cache = fields['cache'];
  if (cache !== undefined && cache !== 'true' && cache !== 'false')
    throw badRequest(ErrorCode.BadRequest, "'cache' must be 'true' or 'false'");
  const uploaded = uploadedFiles(req);
  return {
    name: fields['name'] as string | undefined,
    parameters,
    cache: cache === 'true',
    callback: fields['callback'] as string | undefined,
    files: uploaded.map((file) => ({
      name: file.fieldname,
      filename: file.originalname,
      size: file.size,
      sha256: file.sha256,
      tempPath: file.path,
    })),
  };
}

/** `GET` and `POST` on the collection (`/artifacts` or `/runs`). */
export function collectionRoutes(ctx: ToolServerContext): RouteSpec[] {
  const path = ctx.collectionPath;
  const jsonBody = express.json({ limit: JSON_LIMIT, strict: false, type: () => true });
  // multer is loaded by the first multipart create: most containers never see one.
  let multipart: Promise<express.RequestHandler> | undefined;
  const multipartHandler = (): Promise<express.RequestHandler> =>
    (multipart ??= import('../http/multipart-upload.js').then(({ multipartUpload }) =>
      multipartUpload({
        uploadsDir: ctx.store.uploadsDir,
        inputFiles: ctx.description.inputFiles,
        maxUploadBytes: ctx.maxUploadBytes,
        nameTaken: async (name) => (await ctx.store.get(name)) !== null,
      }),
    ));
  return [
    {
      method: 'get',
      path,
      operationId: 'listArtifacts',
      summary: 'Summaries of every artifact, newest first',
      query: [
        {
          name: 'status',
          description: 'only artifacts in this state',
          schema: { enum: [...ARTIFACT_STATUSES] },
        },
      ],
      responses: { '200': 'the summaries', '400': 'an unknown status' },
      content: { 'application/json': { type: 'array', items: SUMMARY_REF } },
      handler: async (req, res) => {
        const status = oneOf<ArtifactStatus>(req, 'status', ARTIFACT_STATUSES);
        res.type('application/json').send(await ctx.store.listJson(status));
      },
    },
    {
      method: 'post',
      path,
      operationId: 'createArtifact',
      summary: 'Create an artifact (JSON, or multipart with input files)',
      requestBody: 'create',
      responses: {
        '202': 'queued (or completed at once from the cache); Location names it',
        '400': 'a malformed body, bad name or unknown field',
        '409': 'the name is taken',
        '413': 'the body or a file is too large',
        '415': 'neither JSON nor multipart',
        '422': 'the parameters, input files or references are not valid',
      },
      responseHeaders: { '202': { Location: 'the new artifact: `{collection}/{name}/`' } },
      content: { 'application/json': SUMMARY_REF },
      handler: async (req, res) => {
        let input: CreateInput;
        if (req.is('application/json')) {
          await runMiddleware(jsonBody, req, res);
          input = fromJson(req.body);
        } else if (req.is('multipart/form-data')) {
          if (!MULTIPART_BOUNDARY.test(req.headers['content-type'] ?? ''))
            throw badRequest(ErrorCode.MalformedMultipart, 'the multipart body names no boundary');
          await runMiddleware(await multipartHandler(), req, res);
          try {
            input = fromMultipart(req);
          } catch (error) {
            const uploaded = uploadedFiles(req);
            await Promise.all(uploaded.map((file) => rm(file.path, { force: true })));
            throw error;
          }
        } else {
          throw new KilnError(
            ErrorCode.UnsupportedMediaType,
            'send application/json or multipart/form-data',
            { status: 415 },
          );
        }
        const summary = await ctx.creator.create(input);
        res.status(202).location(`${path}/${summary.name}/`).json(summary);
      },
    },
  ];
}
