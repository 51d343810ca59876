import { ErrorCode, KilnError, type FeedbackInfo, type FeedbackStats } from '@kiln/api';
import type { RouteSpec } from '@kiln/core';
import type { Request, Response } from 'express';
import { readImagePart } from '../http/image-upload.js';
import { FEEDBACK_BODY } from '../http/openapi-schemas.js';
import { integerQuery, nameQuery } from '../http/params.js';
import { requireObject } from '../http/require-json.js';
import type { ServingContext } from '../http/serving-context.js';
import { decodeImage, encodePng } from '../inference/image-input.js';

/** The most labels one listing returns. */
const MAX_LIMIT = 1000;

/**
 * The model a request is about: `?model=` (or the form's `model`), else the only model served.
 * A 400 when several are served and none is named.
 */
function chosenModel(ctx: ServingContext, named: string | undefined): string {
  if (named !== undefined) {
    ctx.registry.detail(named);
    return named;
  }
  const models = ctx.registry.modelNames();
  if (models.length === 1) return models[0]!;
  if (models.length === 0) {
    throw new KilnError(ErrorCode.ModelNotFound, 'no model is served yet', { status: 404 });
  }
  throw new KilnError(
    ErrorCode.BadRequest,
    `this container serves ${models.length} models (${models.join(', ')}): name one with model`,
    { status: 400 },
  );
}

/** A labelled image: the multipart form of `POST /feedback`. */
async function labelImage(ctx: ServingContext, req: Request, res: Response): Promise<FeedbackInfo> {
  const bytes = await readImagePart(req, res, ctx.limits.maxImageBytes);
  const fields = (req.body ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    if (field !== 'label' && field !== 'model') {
      throw new KilnError(ErrorCode.UnknownField, `'${field}' is not a field of this form`, {
        status: 400,
        errors: [{ path: `/${field}`, message: 'is not allowed' }],
      });
    }
  }
  const model = fields['model'];
  if (model !== undefined && typeof model !== 'string') {
    throw new KilnError(ErrorCode.BadRequest, "give 'model' once", { status: 400 });
  }
  if (fields['label'] === undefined) {
    throw new KilnError(ErrorCode.ValidationFailed, "'label' is required", {
      status: 422,
      errors: [{ path: '/label', message: 'is required' }],
    });
  }
  const name = chosenModel(ctx, model);
  const { imageSize } = ctx.feedback.signature(name);
  const pixels = await decodeImage(bytes, imageSize, ctx.limits.maxImagePixels);
  return ctx.feedback.forImage(name, { pixels, ...imageSize }, fields['label']);
}

/**
 * `/feedback`: labels for predictions (`{predictionId, label}`) and labelled images, the labels
 * given, and each model's progress toward its next retraining run.
 */
export function feedbackRoutes(ctx: ServingContext): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/feedback',
      operationId: 'giveFeedback',
      requestBody: FEEDBACK_BODY,
      summary:
        "A prediction's right label (JSON {predictionId, label}), or a labelled image never predicted (multipart image + label [+ model]); committed before the 201. A prediction takes one label: the first stands",
      responses: {
        '201': 'the label, kept',
        '400': 'a bad body',
        '404': 'no such prediction or model',
        '409': 'the prediction has a label already (the first stands)',
        '413': 'the image is too large',
        '415': 'neither JSON nor multipart',
        '422': 'a label outside the classes',
        '503': 'a labelled image for a model with no champion yet',
      },
      responseHeaders: { '201': { Location: 'the label' } },
      handler: async (req, res) => {
        let info: FeedbackInfo;
        if (req.is('multipart/form-data')) {
          info = await labelImage(ctx, req, res);
        } else {
          const body = requireObject(req, ['predictionId', 'label']);
          info = ctx.feedback.forPrediction(body['predictionId'], body['label']);
        }
        res.status(201).location(`/feedback/${info.id}`).json(info);
      },
    },
    {
      method: 'get',
      path: '/feedback',
      operationId: 'listFeedback',
      summary: 'The labels given, newest first; ?model=, ?limit= (50, at most 1000)',
      query: [
        { name: 'model', description: 'only this model', schema: { type: 'string' } },
        {
          name: 'limit',
          description: 'how many (1–1000)',
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
        },
      ],
      responses: { '200': 'the labels', '400': 'a bad query', '404': 'no such model' },
      handler: (req, res) => {
        const model = nameQuery(req, 'model');
        res.json(
          ctx.feedback.list({
            ...(model === undefined ? {} : { model }),
            limit: integerQuery(req, 'limit', 50, MAX_LIMIT),
          }) satisfies FeedbackInfo[],
        );
      },
    },
    {
      method: 'get',
      path: '/feedback/stats',
      operationId: 'feedbackStats',
      summary:
        "A model's labels (total, unused, pending, held out), its threshold and the retraining run in flight; ?model= (needed when several models are served)",
      query: [{ name: 'model', description: 'the model', schema: { type: 'string' } }],
      responses: {
        '200': 'the figures',
        '400': 'a bad query, or several models and none named',
        '404': 'no such model',
      },
      handler: (req, res) => {
        const model = chosenModel(ctx, nameQuery(req, 'model'));
        res.json(ctx.retrainer.stats(model) satisfies FeedbackStats);
      },
    },
    {
      method: 'get',
      path: '/feedback/{id}',
      operationId: 'getFeedback',
      summary: 'One label',
      responses: { '200': 'the label', '404': 'no such label' },
      handler: (req, res) => {
        res.json(ctx.feedback.get(String(req.params['id'])));
      },
    },
    {
      method: 'get',
      path: '/feedback/{id}/input',
      operationId: 'getFeedbackInput',
      summary: 'The grey image a label was given for, as PNG',
      responses: { '200': 'the image', '404': 'no such label' },
      content: { 'image/png': { type: 'string', format: 'binary' } },
      handler: async (req, res) => {
        const input = ctx.feedback.input(String(req.params['id']));
        res.type('image/png').send(await encodePng(input.pixels, input.width, input.height));
      },
    },
  ];
}
