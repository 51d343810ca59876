// A small HTTP load generator for the serving benchmark: `concurrency` keep-alive connections on
// loopback, each sending one request after another (closed loop), recording every latency and
// every status. Node's own http module: no client library sits between the numbers and the wire.
import http from 'node:http';

/** Sends one POST on `agent` and resolves with its status and the milliseconds it took. */
function post(url, body, agent) {
  return new Promise((resolve) => {
    const began = performance.now();
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        response.on('data', () => undefined);
        response.on('end', () =>
          resolve({ status: response.statusCode, ms: performance.now() - began }),
        );
        response.on('error', () => resolve({ status: 0, ms: performance.now() - began }));
      },
    );
    request.on('error', () => resolve({ status: 0, ms: performance.now() - began }));
    request.end(body);
  });
}

/**
 * Runs the load: `requests` in total (or until `until()` says stop, with `requests` as a cap),
 * from `concurrency` clients. Returns latencies (ms), statuses and the wall time.
 */
export async function runLoad({ url, body, concurrency, requests, until = () => false }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const payload = Buffer.from(body);
  const latencies = [];
  const statuses = new Map();
  let sent = 0;
  const began = performance.now();
  const client = async () => {
    while (sent < requests && !until()) {
      sent += 1;
      const { status, ms } = await post(url, payload, agent);
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - began) / 1000;
  agent.destroy();
  return { latencies, statuses, seconds, count: latencies.length };
}

/** The `fraction` quantile of a list of numbers. */
export function quantile(values, fraction) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
}

/** The median of a list of numbers. */
export function median(values) {
  return quantile(values, 0.5);
}
