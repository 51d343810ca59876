import {
  ErrorCode,
  GATE_METRICS,
  KilnError,
  isValidName,
  type RetrainPolicy,
  type ValidationIssue,
} from '@kiln/api';

/** The fields of a policy, for `requireObject`. */
export const POLICY_FIELDS = [
  'enabled',
  'threshold',
  'pipeline',
  'metric',
  'margin',
  'holdOutEvery',
] as const;

/** The most labels a threshold may ask for. */
const MAX_THRESHOLD = 1_000_000;

type Check = (value: unknown) => string | null;

const CHECKS: Record<keyof RetrainPolicy, Check> = {
  enabled: (value) => (typeof value === 'boolean' ? null : 'must be true or false'),
  threshold: (value) =>
    Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= MAX_THRESHOLD
      ? null
      : `must be an integer from 1 to ${MAX_THRESHOLD}`,
  pipeline: (value) =>
    value === null || isValidName(value) ? null : "must be a pipeline's service name, or null",
  metric: (value) =>
    (GATE_METRICS as readonly unknown[]).includes(value)
      ? null
      : `must be one of ${GATE_METRICS.join(', ')}`,
  margin: (value) =>
    typeof value === 'number' && Number.isFinite(value) && value >= -1 && value <= 1
      ? null
      : 'must be a number from -1 to 1 (a share of accuracy: 0.01 is one point)',
  holdOutEvery: (value) =>
    Number.isSafeInteger(value) &&
    ((value as number) === 0 || ((value as number) >= 2 && (value as number) <= 1000))
      ? null
      : 'must be 0 (hold none out) or an integer from 2 to 1000',
};

/**
 * The policy a `PUT /models/{model}/policy` body makes of `current`: the fields it gives replace
 * theirs, the others keep their value. Every bad field is reported at once, as a 422 with one
 * issue per field; `checkPipeline` says what is wrong with a pipeline it names, if anything.
 */
export async function applyPolicyUpdate(
  current: RetrainPolicy,
  body: Record<string, unknown>,
  checkPipeline: (name: string) => Promise<string | null>,
): Promise<RetrainPolicy> {
  const errors: ValidationIssue[] = [];
  const next: Record<string, unknown> = { ...current };
  for (const field of POLICY_FIELDS) {
    if (!(field in body)) continue;
    const problem = CHECKS[field](body[field]);
    if (problem) errors.push({ path: `/${field}`, message: problem });
    else next[field] = body[field];
  }
  const policy = next as unknown as RetrainPolicy;
  if (
    'pipeline' in body &&
    typeof policy.pipeline === 'string' &&
    !errors.some((e) => e.path === '/pipeline')
  ) {
    const problem = await checkPipeline(policy.pipeline);
    if (problem) errors.push({ path: '/pipeline', message: problem });
  }
  if (errors.length === 0 && policy.enabled && policy.pipeline === null) {
    errors.push({ path: '/pipeline', message: 'a policy that retrains needs a pipeline' });
  }
  if (errors.length > 0) {
    throw new KilnError(
      ErrorCode.ValidationFailed,
      `the policy was refused: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      { status: 422, errors },
    );
  }
  return policy;
}
