/** Where an artifact lives, as the dashboard routes it. */
export interface ArtifactLocation {
  container: string;
  artifact: string;
}

/** `…/containers/{name}/artifacts/{artifact}/`: a container's artifact behind the gateway. */
const THROUGH_GATEWAY = /\/containers\/([^/?#]+)\/(?:artifacts|runs)\/([^/?#]+)\/?(?:[?#].*)?$/;
/** `http://{name}:8080/artifacts/{artifact}/`: the compose form references are stored in. */
const COMPOSE_FORM = /^http:\/\/([^/?#:]+):8080\/(?:artifacts|runs)\/([^/?#]+)\/?(?:[?#].*)?$/;

/**
 * Finds the container and artifact an artifact reference URL points at, whether the gateway
 * showed it as a link through itself (`https://kiln.example/containers/train/artifacts/m/`) or
 * it is in the compose form references are kept in (`http://train:8080/artifacts/m/`), given
 * the names of the project's containers. Undefined for a URL outside the project.
 */
export function locateArtifact(
  url: string,
  containers: ReadonlySet<string>,
): ArtifactLocation | undefined {
  const match = THROUGH_GATEWAY.exec(url) ?? COMPOSE_FORM.exec(url);
  if (!match) return undefined;
  try {
    const container = decodeURIComponent(match[1] ?? '');
    if (!containers.has(container)) return undefined;
    return { container, artifact: decodeURIComponent(match[2] ?? '') };
  } catch {
    return undefined;
  }
}
