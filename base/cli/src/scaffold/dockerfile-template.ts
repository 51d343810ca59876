import { isCompiled, moduleFile, ScaffoldLanguage, type ScaffoldSpec } from './scaffold-spec.js';

/** Where `kiln serve` is in every image (the images keep the repository's layout under /app). */
const CLI_MAIN = 'base/cli/dist/main.js';

/**
 * The container's Dockerfile, built from the repository root like every Kiln image: the
 * workspaces it runs (`workspaces`, dependencies first, its own folder last), compiled in one
 * stage, with production dependencies only in the image, run as the unprivileged user.
 */
export function dockerfile(spec: ScaffoldSpec, workspaces: readonly string[]): string {
  const folder = `containers/${spec.name}`;
  const compile = isCompiled(spec) ? `${folder} base/cli` : 'base/cli';
  const python =
    spec.lang === ScaffoldLanguage.Python
      ? `# The builder is a Python script.
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 \\
 && rm -rf /var/lib/apt/lists/*
`
      : '';
  const cmd = JSON.stringify(['node', CLI_MAIN, 'serve', `${folder}/${moduleFile(spec)}`]).replace(
    /","/g,
    '", "',
  );
  const purpose = spec.description.charAt(0).toLowerCase() + spec.description.slice(1);
  return `# syntax=docker/dockerfile:1
# Kiln ${spec.kind} container ${spec.name}: ${purpose}.
# Built from the repository root, as its docker-compose.yml service says: docker compose build
# ${spec.name} (or: docker build -f ${folder}/Dockerfile .). Runs as the unprivileged user,
# serves port 8080, keeps its data in the /data volume. See docs/deploy.md.

# The workspaces this image runs, with every @kiln package they depend on (a test checks the list).
ARG WORKSPACES="${workspaces.join(' ')}"

# ---- manifests: every package.json and the lockfile, so dependency layers are cached until they change
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN find . -path ./node_modules -prune -o \\( -name package.json -o -name package-lock.json \\) -print | tar -cf /manifests.tar -T -

# ---- build: compile the TypeScript of the workspaces this image runs
FROM node:20-bookworm-slim AS build
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ARG WORKSPACES
COPY --from=manifests /manifests.tar /tmp/
RUN tar -xf /tmp/manifests.tar && rm /tmp/manifests.tar \\
 && npm ci --no-audit --no-fund --include-workspace-root $(printf -- '--workspace=%s ' $WORKSPACES)
COPY . .
RUN npx tsc -b ${compile} \\
 && mkdir /out && for ws in $WORKSPACES; do \\
      mkdir -p /out/$ws && cp -R $ws/. /out/$ws/ \\
      && rm -rf /out/$ws/src /out/$ws/test /out/$ws/bench /out/$ws/node_modules /out/$ws/tsconfig*.json /out/$ws/*.tsbuildinfo; \\
    done

# ---- deps: production dependencies of those workspaces only
FROM node:20-bookworm-slim AS deps
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ARG WORKSPACES
COPY --from=manifests /manifests.tar /tmp/
RUN tar -xf /tmp/manifests.tar && rm /tmp/manifests.tar \\
 && npm ci --omit=dev --no-audit --no-fund $(printf -- '--workspace=%s ' $WORKSPACES) \\
 && npm cache clean --force

# ---- runtime: compiled code and production dependencies, run as an unprivileged user
FROM node:20-bookworm-slim
${python}ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /out ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ${cmd}
`;
}
