/**
 * What a service is to the rest of the project. Most services are artifact containers (tools,
 * pipelines), whose kind each tells in `GET /`; the three that serve the project itself say
 * what they are with `x-kiln: { role: … }` in `docker-compose.yml`.
 */
export const ServiceRole = {
  /** The single published port: routes `/containers/{name}/` to every other service. */
  Gateway: 'gateway',
  /** The web UI and the `/pipelines/` and `/containers/` listings. */
  Dashboard: 'dashboard',
  /** Gathers every container's metrics. */
  Visualization: 'visualization',
  /** An artifact container (a tool, a pipeline): what a service is unless it says otherwise. */
  Container: 'container',
} as const;
export type ServiceRole = (typeof ServiceRole)[keyof typeof ServiceRole];

export const SERVICE_ROLES: readonly ServiceRole[] = Object.values(ServiceRole);

/** The port every Kiln service listens on inside its container (docker-compose.yml). */
export const SERVICE_PORT = 8080;

/**
 * A service's URL as `docker-compose.yml` names it, which is how artifact references name
 * containers in every mode: `serviceUrl('import')` is `http://import:8080`.
 */
export function serviceUrl(name: string): string {
  return `http://${name}:${SERVICE_PORT}`;
}

/** `http://<service>:8080` at the start of a URL, followed by its end or a path, query or fragment. */
export const COMPOSE_ORIGIN = /^http:\/\/([A-Za-z0-9][A-Za-z0-9._-]*):8080(?=[/?#]|$)/i;

/**
 * Where a compose URL is found behind the project's gateway, as a path on the gateway's own
 * origin: `http://import:8080/artifacts/x/` → `/containers/import/artifacts/x/`. The link a person
 * reading a run through the published port can follow. Undefined for any other URL.
 */
export function gatewayPath(url: string): string | undefined {
  const match = COMPOSE_ORIGIN.exec(url);
  if (!match) return undefined;
  const rest = url.slice(match[0].length);
  return `/containers/${match[1]!}${rest.startsWith('/') ? rest : `/${rest}`}`;
}
