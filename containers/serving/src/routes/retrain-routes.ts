import { ErrorCode, KilnError, type RetrainInfo, type RetrainPolicy } from '@kiln/api';
import type { RouteSpec } from '@kiln/core';
import { POLICY_BODY } from '../http/openapi-schemas.js';
import { integerQuery, nameParam } from '../http/params.js';
import { requireObject } from '../http/require-json.js';
import type { ServingContext } from '../http/serving-context.js';
import { POLICY_FIELDS } from '../retrain/policy-check.js';

/** `{id}` of a retraining run: a positive integer. */
const ID_PARAM = { id: { type: 'integer', minimum: 1 } };

function retrainId(text: string): number {
  if (!/^[1-9]\d{0,8}$/.test(text)) {
    throw new KilnError(ErrorCode.BadRequest, `'${text}' is not a retraining run's id (1, 2, …)`, {
      status: 400,
    });
  }
  return Number(text);
}

/**
 * A model's retraining policy, and its retraining runs: listed, one by one, started by hand.
 */
export function retrainRoutes(ctx: ServingContext): RouteSpec[] {
  const { registry, policies, retrainer } = ctx;
  return [
    {
      method: 'get',
      path: '/models/{model}/policy',
      operationId: 'getPolicy',
      summary:
        'When the model retrains (threshold labels, with pipeline) and how its challengers are judged (metric, margin)',
      responses: { '200': 'the policy', '404': 'no such model' },
      handler: (req, res) => {
        const model = nameParam(req);
        registry.detail(model);
        res.json(policies.get(model) satisfies RetrainPolicy);
      },
    },
    {
      method: 'put',
      path: '/models/{model}/policy',
      operationId: 'setPolicy',
      requestBody: POLICY_BODY,
      summary:
        'Changes the fields given (the others keep their value); a bad field is a 422 and nothing is stored',
      responses: {
        '200': 'the policy now in force',
        '400': 'a bad body',
        '404': 'no such model',
        '415': 'not JSON',
        '422': 'a bad field: a threshold below 1, an unknown pipeline or metric, …',
      },
      handler: async (req, res) => {
        const model = nameParam(req);
        registry.detail(model);
        const body = requireObject(req, POLICY_FIELDS);
        const policy = await policies.update(model, body);
        ctx.logger.info('policy set', { model, ...policy });
        // A lower threshold may make the labels already given enough.
        retrainer.onLabel(model);
        res.json(policy satisfies RetrainPolicy);
      },
    },
    {
      method: 'get',
      path: '/models/{model}/retrains',
      operationId: 'listRetrains',
      summary: "The model's retraining runs, newest first, with the gate's verdicts",
      query: [
        {
          name: 'limit',
          description: 'how many (1–1000)',
          schema: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      ],
      responses: { '200': 'the runs', '404': 'no such model' },
      handler: (req, res) => {
        const model = nameParam(req);
        res.json(
          retrainer.list(model, integerQuery(req, 'limit', 50, 1000)) satisfies RetrainInfo[],
        );
      },
    },
    {
      method: 'post',
      path: '/models/{model}/retrains',
      operationId: 'startRetrain',
      summary:
        "Starts a retraining run by hand with the pending labels, whatever the threshold: snapshot, the policy's pipeline, the gate",
      responses: {
        '202': 'the run, starting',
        '404': 'no such model',
        '409': 'a run is in flight already, no label is pending, or the model has no pipeline',
      },
      responseHeaders: { '202': { Location: 'the run' } },
      handler: (req, res) => {
        const model = nameParam(req);
        const info = retrainer.start(model);
        res
          .status(202)
          .location(`/models/${encodeURIComponent(model)}/retrains/${info.id}`)
          .json(info satisfies RetrainInfo);
      },
    },
    {
      method: 'get',
      path: '/models/{model}/retrains/{id}',
      operationId: 'getRetrain',
      params: ID_PARAM,
      summary: 'One retraining run, with its snapshot, its version and the verdict',
      responses: { '200': 'the run', '400': 'a bad id', '404': 'no such model or run' },
      handler: (req, res) => {
        const model = nameParam(req);
        res.json(retrainer.get(model, retrainId(String(req.params['id']))));
      },
    },
  ];
}
