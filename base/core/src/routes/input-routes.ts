import { ErrorCode, KilnError } from '@kiln/api';
import { join } from 'node:path';
import type { RouteSpec } from '../http/route-spec.js';
import { schemaRef } from '../http/openapi-schemas.js';
import { FILE_REQUEST_HEADERS, FILE_RESPONSE_HEADERS, sendFile } from '../http/send-file.js';
import type { ToolServerContext } from '../server/tool-server-context.js';
import { nameParam } from './route-params.js';

/** The parameters and files an artifact was created with. */
export function inputRoutes(ctx: ToolServerContext): RouteSpec[] {
  const base = `${ctx.collectionPath}/{name}`;
  return [
    {
      method: 'get',
      path: `${base}/input-parameters`,
      operationId: 'getInputParameters',
      summary: 'The parameters as validated, defaults filled in',
      responses: { '200': 'the parameters', '404': 'no such artifact' },
      content: { 'application/json': { type: 'object' } },
      handler: async (req, res) => {
        const name = nameParam(req);
        await ctx.store.require(name);
        res.json(await ctx.store.readParameters(name));
      },
    },
    {
      method: 'get',
      path: `${base}/input-files`,
      operationId: 'listInputFiles',
      summary: 'The submitted files: name, filename, size, sha256',
      responses: { '200': 'the files', '404': 'no such artifact' },
      content: { 'application/json': { type: 'array', items: schemaRef('InputFileEntry') } },
      handler: async (req, res) => {
        const name = nameParam(req);
        await ctx.store.require(name);
        res.json(await ctx.store.readInputFiles(name));
      },
    },
    {
      method: 'get',
      path: `${base}/input-files/{file}`,
      operationId: 'getInputFile',
      summary: "A submitted file's bytes",
      headers: FILE_REQUEST_HEADERS,
      responses: {
        '200': 'the bytes',
        '206': 'a range',
        '304': 'the file still matches If-None-Match',
        '400': 'a bad name',
        '404': 'no such artifact or file',
        '416': 'a range the file cannot satisfy (malformed, or no byte of the file)',
      },
      responseHeaders: {
        '200': FILE_RESPONSE_HEADERS,
        '206': { ...FILE_RESPONSE_HEADERS, 'Content-Range': 'the bytes sent, of the whole' },
      },
      content: { 'application/octet-stream': { type: 'string', format: 'binary' } },
      handler: async (req, res) => {
        const name = nameParam(req);
        const file = nameParam(req, 'file');
        await ctx.store.require(name);
        const entry = (await ctx.store.readInputFiles(name)).find(
          (candidate) => candidate.name === file,
        );
        if (!entry)
          throw new KilnError(
            ErrorCode.FileNotFound,
            `artifact '${name}' has no input file '${file}'`,
            { status: 404 },
          );
        await sendFile(req, res, join(ctx.store.paths(name).inputFiles, entry.name), {
          etag: entry.sha256,
          downloadName: entry.filename,
        });
      },
    },
  ];
}
