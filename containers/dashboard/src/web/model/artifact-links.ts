/** Where an artifact lives, as the dashboard routes it. */
export interface ArtifactLocation {
  container: string;
  artifact: string;
}

/**
 * Finds the container and artifact an artifact reference URL points at
 * (`http://train:8080/artifacts/model-1/`), given the containers' own URLs as the pipeline
 * lists them. Returns undefined for a URL outside the project.
 */
export function locateArtifact(
  url: string,
  containers: ReadonlyMap<string, string>,
): ArtifactLocation | undefined {
  const match = /^(.*?)\/(?:artifacts|runs)\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url);
  if (!match) return undefined;
  const base = (match[1] ?? '').replace(/\/+$/, '');
  for (const [containerUrl, name] of containers) {
    if (containerUrl.replace(/\/+$/, '') === base) {
      try {
        return { container: name, artifact: decodeURIComponent(match[2] ?? '') };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
