/** Structured fields attached to a log line. */
export type LogMeta = Record<string, unknown>;

/**
 * The logger Kiln packages take by injection (Temporal's shape). Library code never writes to
 * the console itself. It lives here, in the dependency-free package, so that the gateway (which
 * carries no `@kiln/core`) logs the same lines as every other container.
 */
export interface Logger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  /** A logger that adds `bindings` to every line (a request id, an artifact name). */
  child(bindings: LogMeta): Logger;
}

export const LogLevel = { Debug: 'debug', Info: 'info', Warn: 'warn', Error: 'error' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Anything lines can be written to: a Node stream, a test's collector. */
export interface LineSink {
  write(line: string): unknown;
}

export interface StreamLoggerOptions {
  /** @defaultValue 'info' */
  level?: LogLevel;
  /** Where lines go. @defaultValue process.stderr */
  stream?: LineSink;
  /** `json` writes one JSON object a line; `text` a readable line. @defaultValue 'text' */
  format?: 'json' | 'text';
}

/** A logger that writes lines to a stream: text for people, JSON lines for machines. */
export function createStreamLogger(
  options: StreamLoggerOptions = {},
  bindings: LogMeta = {},
): Logger {
  const threshold = LEVEL_ORDER[options.level ?? 'info'];
  const stream = options.stream ?? process.stderr;
  const format = options.format ?? 'text';
  const write = (level: LogLevel, message: string, meta?: LogMeta): void => {
    if (LEVEL_ORDER[level] < threshold) return;
    const fields = { ...bindings, ...meta };
    const time = new Date().toISOString();
    if (format === 'json') {
      stream.write(`${JSON.stringify({ time, level, message, ...fields })}\n`);
      return;
    }
    const extra = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    stream.write(
      `${time} ${level.toUpperCase().padEnd(5)} ${message}${extra ? ` ${extra}` : ''}\n`,
    );
  };
  return {
    debug: (message, meta) => write('debug', message, meta),
    info: (message, meta) => write('info', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    error: (message, meta) => write('error', message, meta),
    child: (more) => createStreamLogger(options, { ...bindings, ...more }),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const SILENT_LOGGER: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => SILENT_LOGGER,
};
