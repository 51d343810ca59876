import { describe, expect, it } from 'vitest';
import { KilnApiError } from '../errors/kiln-api-error.js';
import { problemFromBody } from './error-mapping.js';

describe('problemFromBody', () => {
  it('keeps a problem document and derives the code from its type when it has none', () => {
    const problem = problemFromBody(
      404,
      'Not Found',
      JSON.stringify({
        type: '/problems/artifact-not-found',
        title: 'Artifact not found',
        status: 404,
        detail: "no artifact named 'x'",
      }),
    );
    const error = new KilnApiError(problem);
    expect(error.code).toBe('ARTIFACT_NOT_FOUND');
    expect(error.message).toBe("no artifact named 'x'");
    expect(error.status).toBe(404);
    expect(error.retryable).toBe(false);
  });

  it('builds a problem from the status for a body that is not one', () => {
    const error = new KilnApiError(problemFromBody(502, 'Bad Gateway', '<html>oops</html>'));
    expect(error.problem).toMatchObject({
      title: 'Bad Gateway',
      status: 502,
      code: 'CONTAINER_UNAVAILABLE',
    });
    expect(error.retryable).toBe(true);
  });
});
