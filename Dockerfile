# Bulwark gateway image on Node 24 LTS: multi-stage, compiled dist/ only, production dependencies
# only, non-root, read-only root filesystem friendly.
#   docker build -t bulwark:0.1.0 .
#   docker run --read-only -p 4000:4000 -v $PWD/bulwark.yaml:/etc/bulwark/bulwark.yaml:ro bulwark:0.1.0
# Stage `build` compiles src/ with the dev dependencies (TypeScript); stage `deps` installs the
# runtime dependencies with the exact lock and no install scripts; the runtime stage is distroless
# (no shell, no package manager) and holds only dist/, bin/, config/, templates/, package.json and
# the production node_modules, all owned by root and read-only to the unprivileged `nonroot` user
# (uid 65532) the gateway runs as. Nothing is written at run time (no TypeScript loader, no cache):
# `readOnlyRootFilesystem: true` works. Node itself is PID 1 (the distroless entrypoint), never npm
# or a shell: `bulwark serve` handles SIGTERM/SIGINT (drain, then exit 0) and SIGHUP (reload).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.mjs --clean && rm -f dist/.tsbuildinfo

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM gcr.io/distroless/nodejs24-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    BULWARK_CONFIG=/etc/bulwark/bulwark.yaml
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY templates ./templates
USER 65532:65532
EXPOSE 4000
# The distroless image's entrypoint is node (/nodejs/bin/node): this runs `node bin/bulwark.js serve`.
CMD ["bin/bulwark.js", "serve", "--host", "0.0.0.0", "--port", "4000"]
