import {
  ErrorCode,
  KilnError,
  type ModelDetail,
  type ModelSummary,
  type ModelVersionInfo,
  type PredictResponse,
  type RegisterVersionRequest,
} from '@kiln/api';
import type { RouteSpec } from '@kiln/core';
import { integerAlias } from '../http/alias-body.js';
import { ALIAS_BODY, IMAGE_BODY, REGISTER_BODY, VERSION_PARAM } from '../http/openapi-schemas.js';
import { nameParam, versionParam, versionQuery, waitQuery } from '../http/params.js';
import { requireObject } from '../http/require-json.js';
import type { ServingContext } from '../http/serving-context.js';
import { readImagePart } from '../http/image-upload.js';
import { decodeImage } from '../inference/image-input.js';

function stringField(
  body: Record<string, unknown>,
  field: string,
  required: boolean,
): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0) {
    throw new KilnError(ErrorCode.ValidationFailed, `'${field}' must be a non-empty string`, {
      status: 422,
      errors: [
        {
          path: `/${field}`,
          message: value === undefined ? 'is required' : 'must be a non-empty string',
        },
      ],
    });
  }
  return value;
}

/**
 * Kiln's own model routes: the models, their versions (register, list, one with `?wait=`),
 * aliases (promote and roll back), and prediction from one uploaded image.
 */
export function modelRoutes(ctx: ServingContext): RouteSpec[] {
  const { registry, inference } = ctx;
  return [
    {
      method: 'get',
      path: '/models',
      operationId: 'listModels',
      summary: 'The models with their aliases and version counts',
      responses: { '200': 'the models' },
      handler: (_req, res) => {
        res.json(registry.summaries() satisfies ModelSummary[]);
      },
    },
    {
      method: 'get',
      path: '/models/{model}',
      operationId: 'getModel',
      summary: 'One model with the recent moves of its aliases',
      responses: { '200': 'the model', '404': 'no such model' },
      handler: (req, res) => {
        res.json(registry.detail(nameParam(req)) satisfies ModelDetail);
      },
    },
    {
      method: 'get',
      path: '/models/{model}/versions',
      operationId: 'listVersions',
      summary: "A model's versions, newest first, with their figures and status",
      responses: { '200': 'the versions', '404': 'no such model' },
      handler: (req, res) => {
        res.json(registry.versions(nameParam(req)) satisfies ModelVersionInfo[]);
      },
    },
    {
      method: 'post',
      path: '/models/{model}/versions',
      operationId: 'registerVersion',
      requestBody: REGISTER_BODY,
      summary:
        'Registers a completed model artifact as the next version: fetched, loaded, warmed up and evaluated in the background, then challenger (champion when there is none)',
      responses: {
        '202': 'the new version, loading',
        '400': 'a bad body',
        '415': 'not JSON',
        '422': 'not a completed model artifact, or an unusable evaluation dataset',
      },
      handler: async (req, res) => {
        const model = nameParam(req);
        const body = requireObject(req, ['artifact', 'evaluation', 'set']);
        const request: RegisterVersionRequest = { artifact: stringField(body, 'artifact', true)! };
        const evaluation = stringField(body, 'evaluation', false);
        const set = stringField(body, 'set', false);
        if (evaluation !== undefined) request.evaluation = evaluation;
        if (set !== undefined) request.set = set;
        const info = await registry.register(model, request);
        res
          .status(202)
          .location(`/models/${encodeURIComponent(model)}/versions/${info.version}`)
          .json(info);
      },
    },
    {
      method: 'get',
      path: '/models/{model}/versions/{version}',
      operationId: 'getVersion',
      params: VERSION_PARAM,
      summary:
        'One version; ?wait=N holds the answer up to N seconds until it is no longer loading',
      query: [
        {
          name: 'wait',
          description: 'seconds to wait for the version to settle (0–60)',
          schema: { type: 'number', minimum: 0, maximum: 60 },
        },
      ],
      responses: { '200': 'the version', '404': 'no such model or version' },
      handler: async (req, res) => {
        const model = nameParam(req);
        const version = versionParam(req);
        res.json(await registry.waitForVersion(model, version, waitQuery(req)));
      },
    },
    {
      method: 'put',
      path: '/models/{model}/aliases/{alias}',
      operationId: 'setAlias',
      requestBody: ALIAS_BODY,
      summary:
        'Points champion or challenger at a version (promote, roll back): loads it in a fresh process if needed, then switches atomically',
      responses: {
        '200': 'the model with its aliases',
        '400': 'a bad alias or body',
        '404': 'no such model or version',
        '409': 'the version cannot serve (failed, still loading, could not be loaded)',
      },
      handler: async (req, res) => {
        const model = nameParam(req);
        const alias = String(req.params['alias']);
        const version = integerAlias(requireObject(req, ['version']));
        res.json(await registry.setAlias(model, alias, version));
      },
    },
    {
      method: 'post',
      path: '/models/{model}/predict',
      operationId: 'predictImage',
      requestBody: IMAGE_BODY,
      summary:
        'Predicts one image file (multipart part `image`: PNG, JPEG or PGM, any size, colour or grey); ?version=N asks one version',
      query: [
        {
          name: 'version',
          description: 'a loaded version to ask instead of the champion',
          schema: { type: 'integer', minimum: 1 },
        },
      ],
      responses: {
        '200': 'the prediction',
        '400': 'not an image, or a bad multipart body',
        '404': 'no such model',
        '413': 'the image is too large',
        '415': 'not multipart, or an image format not accepted',
        '503': 'not ready, or the model process crashed during the request',
      },
      handler: async (req, res) => {
        const model = nameParam(req);
        const version = versionQuery(req);
        const route = inference.route(model, version);
        const bytes = await readImagePart(req, res, ctx.limits.maxImageBytes);
        const { imageSize, classes } = route.signature;
        const image = await decodeImage(bytes, imageSize, ctx.limits.maxImagePixels);
        const result = await inference.infer({
          model,
          route,
          pixels: Float32Array.from(image),
          count: 1,
          source: 'image',
        });
        const label = result.labels[0]!;
        const answer: PredictResponse = {
          predictionId: result.ids[0]!,
          model,
          version: result.version,
          label,
          class: classes[label] ?? String(label),
          probabilities: Array.from(result.probabilities),
          classes,
        };
        res.json(answer);
      },
    },
  ];
}
