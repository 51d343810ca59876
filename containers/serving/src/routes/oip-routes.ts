import {
  ErrorCode,
  KilnError,
  type ModelSignature,
  type OipInferResponse,
  type OipModelMetadata,
  type OipReadyResponse,
  type OipServerMetadata,
} from '@kiln/api';
import type { RouteSpec } from '@kiln/core';
import type { Request, Response } from 'express';
import { INFER_BODY, VERSION_PARAM } from '../http/openapi-schemas.js';
import { nameParam, versionParam } from '../http/params.js';
import { requireJson } from '../http/require-json.js';
import type { ServingContext } from '../http/serving-context.js';
import { INPUT_NAME, OUTPUT_NAME, parseInferRequest } from '../inference/oip-request.js';

/** The platform model metadata names: TensorFlow.js layers models. */
const PLATFORM = 'tfjs';

function metadata(name: string, versions: string[], signature: ModelSignature): OipModelMetadata {
  const { height, width } = signature.imageSize;
  return {
    name,
    versions,
    platform: PLATFORM,
    inputs: [{ name: INPUT_NAME, datatype: 'FP32', shape: [-1, height, width] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP32', shape: [-1, signature.classes.length] }],
  };
}

function notReady(detail: string): KilnError {
  return new KilnError(ErrorCode.ModelNotReady, detail, { status: 503, retryable: true });
}

/**
 * Answers an infer request body for a model (its champion, or `version`): checks the tensor
 * against the version that will answer, runs it, and builds the OIP response.
 */
export async function answerInfer(
  ctx: ServingContext,
  model: string,
  version: number | undefined,
  body: unknown,
): Promise<OipInferResponse> {
  const route = ctx.inference.route(model, version);
  const parsed = parseInferRequest(body, route.signature);
  const result = await ctx.inference.infer({
    model,
    route,
    pixels: parsed.pixels,
    count: parsed.count,
    source: 'oip',
  });
  return {
    model_name: model,
    model_version: String(result.version),
    id: parsed.id ?? result.ids[0]!,
    parameters: { prediction_ids: result.ids },
    outputs: [
      {
        name: OUTPUT_NAME,
        shape: [parsed.count, result.signature.classes.length],
        datatype: 'FP32',
        data: Array.from(result.probabilities),
      },
    ],
  };
}

/**
 * The Open Inference Protocol (V2, REST): server metadata, health, model and version metadata,
 * readiness, and infer with and without a version. Every error is a problem document that also
 * carries OIP's `error` member (added by the app's problem handler).
 */
export function oipRoutes(ctx: ServingContext): RouteSpec[] {
  const { registry } = ctx;
  const ready = (res: Response, name: string, isReady: boolean, what: string): void => {
    if (!isReady) throw notReady(`${what} is not ready`);
    res.json({ name, ready: true } satisfies OipReadyResponse);
  };
  const infer = async (req: Request, res: Response, version?: number): Promise<void> => {
    res.json(await answerInfer(ctx, nameParam(req), version, requireJson(req)));
  };
  return [
    {
      method: 'get',
      path: '/v2',
      operationId: 'oipServerMetadata',
      summary: 'OIP server metadata',
      responses: { '200': 'the server metadata' },
      handler: (_req, res) => {
        res.json({
          name: ctx.description.name,
          version: ctx.description.version,
          extensions: [],
        } satisfies OipServerMetadata);
      },
    },
    {
      method: 'get',
      path: '/v2/health/live',
      operationId: 'oipLive',
      summary: 'OIP liveness: 200 while the server answers',
      responses: { '200': 'alive' },
      handler: (_req, res) => {
        res.json({ live: true });
      },
    },
    {
      method: 'get',
      path: '/v2/health/ready',
      operationId: 'oipReady',
      summary: 'OIP readiness: 200 when every model has a ready champion, else 503',
      responses: { '200': 'ready', '503': 'a model is not ready' },
      handler: (_req, res) => {
        const waiting = registry.modelNames().filter((model) => !registry.isReady(model));
        if (waiting.length > 0) throw notReady(`not ready: ${waiting.join(', ')}`);
        res.json({ ready: true });
      },
    },
    {
      method: 'get',
      path: '/v2/models/{model}',
      operationId: 'oipModelMetadata',
      summary: 'OIP model metadata: the loaded versions, the input and output tensors',
      responses: { '200': 'the metadata', '404': 'no such model', '503': 'no version known yet' },
      handler: (req, res) => {
        const model = nameParam(req);
        const signature = registry.signature(model);
        if (!signature) throw notReady(`'${model}' has no champion yet`);
        res.json(metadata(model, registry.loadedVersions(model).map(String), signature));
      },
    },
    {
      method: 'get',
      path: '/v2/models/{model}/ready',
      operationId: 'oipModelReady',
      summary: "OIP model readiness: 200 when the model's champion is loaded, else 503",
      responses: { '200': 'ready', '404': 'no such model', '503': 'not ready' },
      handler: (req, res) => {
        const model = nameParam(req);
        ready(res, model, registry.isReady(model), `'${model}'`);
      },
    },
    {
      method: 'get',
      path: '/v2/models/{model}/versions/{version}',
      operationId: 'oipVersionMetadata',
      params: VERSION_PARAM,
      summary: 'OIP metadata of one version',
      responses: {
        '200': 'the metadata',
        '404': 'no such model or version',
        '503': 'not loaded yet',
      },
      handler: (req, res) => {
        const model = nameParam(req);
        const version = versionParam(req);
        const signature = registry.signature(model, version);
        if (!signature) throw notReady(`version ${version} of '${model}' has not been loaded yet`);
        res.json(metadata(model, [String(version)], signature));
      },
    },
    {
      method: 'get',
      path: '/v2/models/{model}/versions/{version}/ready',
      operationId: 'oipVersionReady',
      params: VERSION_PARAM,
      summary: 'OIP version readiness: 200 when that version is loaded, else 503',
      responses: { '200': 'ready', '404': 'no such model or version', '503': 'not ready' },
      handler: (req, res) => {
        const model = nameParam(req);
        const version = versionParam(req);
        ready(res, model, registry.isReady(model, version), `version ${version} of '${model}'`);
      },
    },
    {
      method: 'post',
      path: '/v2/models/{model}/infer',
      operationId: 'oipInfer',
      requestBody: INFER_BODY,
      summary: 'OIP inference by the champion; parameters.prediction_ids names each prediction',
      responses: {
        '200': 'the probabilities',
        '400': 'a bad tensor',
        '404': 'no such model',
        '413': 'body too large',
        '415': 'not JSON',
        '503': 'not ready, or the model process crashed during the request',
      },
      handler: (req, res) => infer(req, res),
    },
    {
      method: 'post',
      path: '/v2/models/{model}/versions/{version}/infer',
      operationId: 'oipVersionInfer',
      params: VERSION_PARAM,
      requestBody: INFER_BODY,
      summary: 'OIP inference by one version',
      responses: {
        '200': 'the probabilities',
        '400': 'a bad tensor',
        '404': 'no such model or version',
        '413': 'body too large',
        '415': 'not JSON',
        '503': 'not loaded, or the model process crashed during the request',
      },
      handler: (req, res) => infer(req, res, versionParam(req)),
    },
  ];
}
