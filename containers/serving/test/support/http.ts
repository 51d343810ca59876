/** A JSON answer: its status and body. */
export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Sends a request and reads the JSON answer, whatever its status. */
export async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { ...init.headers };
  let body = init.body;
  if (init.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, {
    method: init.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** An OIP infer body of `count` images of `value` (shape [count, 784]). */
export function inferBody(count = 1, value = 20, datatype = 'FP32'): Record<string, unknown> {
  return {
    inputs: [
      { name: 'images', shape: [count, 784], datatype, data: new Array(count * 784).fill(value) },
    ],
  };
}

/** Registers a version and waits until it is no longer loading; returns it. */
export async function registerAndWait(
  base: string,
  model: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const created = await call(`${base}/models/${model}/versions`, { json: body });
  if (created.status !== 202)
    throw new Error(`register: ${created.status} ${JSON.stringify(created.body)}`);
  const version = created.body['version'] as number;
  for (;;) {
    const answer = await call(`${base}/models/${model}/versions/${version}?wait=30`);
    if (answer.body['status'] !== 'loading') return answer.body;
  }
}
