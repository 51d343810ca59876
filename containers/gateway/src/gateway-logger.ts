/** Structured fields attached to a log line. */
export type LogMeta = Record<string, unknown>;

/**
 * The logger the gateway takes by injection. It has the shape of `@kiln/core`'s `Logger`, so a
 * core logger can be passed, without making the gateway image carry core and its native modules.
 */
export interface GatewayLogger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  child(bindings: LogMeta): GatewayLogger;
}

/** A logger that drops everything (tests, benchmarks). */
export const SILENT_GATEWAY_LOGGER: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => SILENT_GATEWAY_LOGGER,
};

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** Options of {@link createLineLogger}. */
export interface LineLoggerOptions {
  /** Where lines go. */
  stream: NodeJS.WritableStream;
  /** The lowest level written. @defaultValue 'info' */
  level?: keyof typeof LEVELS;
  /** `json`: one JSON object a line; `text`: a readable line. @defaultValue 'text' */
  format?: 'json' | 'text';
}

/** A logger writing one line per entry to a stream, as `@kiln/core`'s stream logger does. */
export function createLineLogger(
  options: LineLoggerOptions,
  bindings: LogMeta = {},
): GatewayLogger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = (level: keyof typeof LEVELS, message: string, meta?: LogMeta): void => {
    if (LEVELS[level] < threshold) return;
    const fields = { ...bindings, ...meta };
    const time = new Date().toISOString();
    if (options.format === 'json') {
      options.stream.write(`${JSON.stringify({ time, level, message, ...fields })}\n`);
      return;
    }
    const extra = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    options.stream.write(
      `${time} ${level.toUpperCase().padEnd(5)} ${message}${extra ? ` ${extra}` : ''}\n`,
    );
  };
  return {
    debug: (message, meta) => write('debug', message, meta),
    info: (message, meta) => write('info', message, meta),
    warn: (message, meta) => write('warn', message, meta),
    error: (message, meta) => write('error', message, meta),
    child: (more) => createLineLogger(options, { ...bindings, ...more }),
  };
}
