/**
 * What the `kiln` command reads from its surroundings. `main.ts` builds it from `process.env`
 * and the standard streams; commands take it instead of reading globals, so tests can vary it.
 */
export interface CliEnvironment {
  /** `KILN_URL`: the gateway (or, as a URL argument, a container). */
  url: string | undefined;
  /** `KILN_TOKEN`: the gateway's bearer token. */
  token: string | undefined;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** The gateway URL used when neither `--url` nor `KILN_URL` is set. */
export const DEFAULT_KILN_URL = 'http://127.0.0.1:8080';
