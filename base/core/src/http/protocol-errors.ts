import {
  ErrorCode,
  KilnError,
  PROBLEM_CONTENT_TYPE,
  toProblemDocument,
  type Logger,
} from '@kiln/api';
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Every method some route of a tool container serves. */
const SERVED_METHODS = 'GET, HEAD, POST, DELETE';

/** A whole HTTP/1.1 answer carrying a problem document, for a socket express never saw. */
function rawProblem(status: number, code: ErrorCode, detail: string, extra = ''): string {
  const body = JSON.stringify(toProblemDocument(new KilnError(code, detail, { status })));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`
  );
}

/** What Node's parser says went wrong, as status, code and detail. */
function describeClientError(error: NodeJS.ErrnoException): [number, ErrorCode, string] {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return [
      431,
      ErrorCode.HeadersTooLarge,
      'the request line and headers are larger than this server accepts (16 KiB)',
    ];
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return [408, ErrorCode.BadRequest, 'the request headers did not arrive in time'];
  }
  return [
    400,
    ErrorCode.BadRequest,
    `the request is not valid HTTP/1.1 (${error.code ?? 'error'})`,
  ];
}

/**
 * Makes the answers Node's HTTP server gives on its own (a request it cannot parse, headers
 * over its limit, an `Expect` it does not meet, a `CONNECT`) problem documents like every other
 * error: by default they are bare status lines, or no answer at all.
 */
export function answerProtocolErrors(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's own handler checks the same: never write into a response already under way.
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, code, detail] = describeClientError(error);
    logger.info('request refused', { status, error: detail });
    socket.end(rawProblem(status, code, detail));
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const expect = String(req.headers.expect).slice(0, 100);
    const body = JSON.stringify(
      toProblemDocument(
        new KilnError(ErrorCode.BadRequest, `'Expect: ${expect}' cannot be met`, { status: 417 }),
        req.url,
      ),
    );
    res.writeHead(417, {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(
      rawProblem(
        405,
        ErrorCode.MethodNotAllowed,
        `CONNECT is not served here; use ${SERVED_METHODS}`,
        `Allow: ${SERVED_METHODS}\r\n`,
      ),
    );
  });
}
