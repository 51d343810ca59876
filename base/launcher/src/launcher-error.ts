/** Stable codes of {@link LauncherError}; match on these, not on messages. */
export const LauncherErrorCode = {
  /** The compose file cannot be read or is not YAML. */
  ComposeUnreadable: 'COMPOSE_UNREADABLE',
  /** The compose file breaks the Compose Specification's schema. */
  ComposeInvalid: 'COMPOSE_INVALID',
  /** A `${VAR:?message}` variable is unset. */
  VariableRequired: 'VARIABLE_REQUIRED',
  /** A service cannot be run locally (no command, a dependency on an unknown service, a cycle). */
  ServiceUnrunnable: 'SERVICE_UNRUNNABLE',
  /** No free port could be found, or the requested one is taken. */
  PortUnavailable: 'PORT_UNAVAILABLE',
  /** A service did not become healthy in time. */
  ServiceUnhealthy: 'SERVICE_UNHEALTHY',
} as const;
export type LauncherErrorCode = (typeof LauncherErrorCode)[keyof typeof LauncherErrorCode];

/** The one error the launcher throws: a stable `code`, a message for people, ES2022 `cause`. */
export class LauncherError extends Error {
  readonly code: LauncherErrorCode;

  constructor(code: LauncherErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LauncherError';
    this.code = code;
  }
}
