import { ErrorCode, KilnError, type PredictionDetail, type PredictionInfo } from '@kiln/api';
import type { RouteSpec } from '@kiln/core';
import { integerQuery, nameQuery, stringQuery } from '../http/params.js';
import type { ServingContext } from '../http/serving-context.js';
import { encodePng } from '../inference/image-input.js';

/** The most predictions one listing returns. */
const MAX_LIMIT = 1000;

function notFound(id: string): KilnError {
  return new KilnError(ErrorCode.PredictionNotFound, `no prediction '${id}'`, { status: 404 });
}

/** `/predictions`: every prediction kept, newest first, one with its probabilities, its input. */
export function predictionRoutes(ctx: ServingContext): RouteSpec[] {
  const { predictions } = ctx;
  return [
    {
      method: 'get',
      path: '/predictions',
      operationId: 'listPredictions',
      summary: 'Predictions, newest first; ?model=, ?limit= (50, at most 1000), ?before=<id>',
      query: [
        { name: 'model', description: 'only this model', schema: { type: 'string' } },
        {
          name: 'limit',
          description: 'how many (1–1000)',
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
        },
        {
          name: 'before',
          description: 'only predictions older than this id',
          schema: { type: 'string' },
        },
      ],
      responses: { '200': 'the predictions', '400': 'a bad query' },
      handler: (req, res) => {
        const model = nameQuery(req, 'model');
        const before = stringQuery(req, 'before');
        if (before !== undefined && !predictions.has(before)) throw notFound(before);
        const list: PredictionInfo[] = predictions.list({
          ...(model === undefined ? {} : { model }),
          ...(before === undefined ? {} : { before }),
          limit: integerQuery(req, 'limit', 50, MAX_LIMIT),
        });
        res.json(list);
      },
    },
    {
      method: 'get',
      path: '/predictions/{id}',
      operationId: 'getPrediction',
      summary: 'One prediction with every probability',
      responses: { '200': 'the prediction', '404': 'no such prediction' },
      handler: (req, res) => {
        const id = String(req.params['id']);
        const detail: PredictionDetail | null = predictions.get(id);
        if (!detail) throw notFound(id);
        res.json(detail);
      },
    },
    {
      method: 'get',
      path: '/predictions/{id}/input',
      operationId: 'getPredictionInput',
      summary: 'The grey image a prediction was made from, as PNG',
      responses: { '200': 'the image', '404': 'no such prediction' },
      content: { 'image/png': { type: 'string', format: 'binary' } },
      handler: async (req, res) => {
        const id = String(req.params['id']);
        const input = predictions.input(id);
        if (!input) throw notFound(id);
        res.type('image/png').send(await encodePng(input.pixels, input.width, input.height));
      },
    },
  ];
}
