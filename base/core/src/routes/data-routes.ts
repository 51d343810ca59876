import { ArtifactStatus, ErrorCode, KilnError } from '@kiln/api';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { oneOf } from '../http/query.js';
import type { RouteSpec } from '../http/route-spec.js';
import { FILE_REQUEST_HEADERS, FILE_RESPONSE_HEADERS, sendFile } from '../http/send-file.js';
import { sendZip } from '../http/zip-stream.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { listFiles } from '../util/data-digest.js';
import { realPathInside } from '../util/safe-path.js';
import { nameParam, pathParam } from './route-params.js';

async function requireCompleted(ctx: ToolServerContext, name: string): Promise<void> {
  const artifact = await ctx.store.require(name);
  if (artifact.status !== ArtifactStatus.Completed) {
    throw new KilnError(
      ErrorCode.ArtifactNotCompleted,
      `artifact '${name}' is ${artifact.status}; its data exists once it is completed`,
      { status: 409 },
    );
  }
}

function fileNotFound(name: string, path: string): KilnError {
  return new KilnError(ErrorCode.FileNotFound, `artifact '${name}' has no file '${path}'`, {
    status: 404,
  });
}

/** `GET /data` (one file, or a zip of several) and `GET /data/{path}` (a file, or a folder as a zip). */
export function dataRoutes(ctx: ToolServerContext): RouteSpec[] {
  const base = `${ctx.collectionPath}/{name}/data`;
  return [
    {
      method: 'get',
      path: base,
      operationId: 'getData',
      summary:
        'The data: a single file as itself, several as a streamed zip (?format=zip always zips)',
      query: [
        { name: 'format', description: '`zip` to always get a zip', schema: { enum: ['zip'] } },
      ],
      headers: FILE_REQUEST_HEADERS,
      responses: {
        '200': 'the file or zip',
        '206': 'a range of a single file',
        '304': 'the single file still matches If-None-Match',
        '400': 'a bad name or format',
        '404': 'no such artifact',
        '409': 'not completed',
        '416': 'a range the single file cannot satisfy (malformed, or no byte of the file)',
      },
      responseHeaders: {
        '200': FILE_RESPONSE_HEADERS,
        '206': { ...FILE_RESPONSE_HEADERS, 'Content-Range': 'the bytes sent, of the whole' },
      },
      content: {
        'application/octet-stream': { type: 'string', format: 'binary' },
        'application/zip': { type: 'string', format: 'binary' },
      },
      handler: async (req, res) => {
        const name = nameParam(req);
        const format = oneOf(req, 'format', ['zip'] as const);
        await requireCompleted(ctx, name);
        const files = await ctx.store.readFiles(name);
        const dataDir = ctx.store.paths(name).data;
        const [only] = files;
        if (format !== 'zip' && files.length === 1 && only) {
          await sendFile(req, res, join(dataDir, only.path), {
            etag: only.sha256,
            downloadName: only.path.split('/').pop(),
          });
          return;
        }
        await sendZip(
          res,
          files.map((file) => ({ absolute: join(dataDir, file.path), name: file.path })),
          `${name}.zip`,
        );
      },
    },
    {
      method: 'get',
      path: `${base}/{path}`,
      operationId: 'getDataFile',
      summary: 'One file of the data (a folder comes as a zip of it), with ETag and Range',
      headers: FILE_REQUEST_HEADERS,
      responses: {
        '200': 'the file or zip',
        '206': 'a range',
        '304': 'the file still matches If-None-Match',
        '400': 'a refused path',
        '404': 'no such file',
        '409': 'not completed',
        '416': 'a range the file cannot satisfy (malformed, or no byte of the file)',
      },
      responseHeaders: {
        '200': FILE_RESPONSE_HEADERS,
        '206': { ...FILE_RESPONSE_HEADERS, 'Content-Range': 'the bytes sent, of the whole' },
      },
      content: { 'application/octet-stream': { type: 'string', format: 'binary' } },
      handler: async (req, res) => {
        const name = nameParam(req);
        const segments = pathParam(req);
        await requireCompleted(ctx, name);
        const dataDir = ctx.store.paths(name).data;
        const relative = segments.join('/');
        const target = await realPathInside(dataDir, join(dataDir, ...segments));
        if (!target) throw fileNotFound(name, relative);
        const info = await stat(target);
        if (info.isDirectory()) {
          const files = await listFiles(target);
          await sendZip(
            res,
            files.map((file) => ({ absolute: file.absolute, name: file.path })),
            `${segments.at(-1) ?? name}.zip`,
          );
          return;
        }
        const entry = (await ctx.store.readFiles(name)).find((file) => file.path === relative);
        if (!entry) throw fileNotFound(name, relative);
        await sendFile(req, res, target, { etag: entry.sha256 });
      },
    },
  ];
}
