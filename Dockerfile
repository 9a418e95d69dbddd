# Bulwark gateway image: multi-stage, production dependencies only, non-root, distroless runtime.
#   docker build -t bulwark:0.1.0 .
#   docker run -p 4000:4000 -v $PWD/bulwark.yaml:/etc/bulwark/bulwark.yaml bulwark:0.1.0
# Sources run through tsx's loader, so there is no compile stage: stage 1 installs the runtime
# dependencies with the exact lock, stage 2 copies them beside the sources onto a distroless base
# (no shell, no package manager) that runs as the unprivileged `nonroot` user (uid 65532).

FROM node:20.20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    BULWARK_CONFIG=/etc/bulwark/bulwark.yaml
COPY --from=deps --chown=65532:65532 /app/node_modules ./node_modules
COPY --chown=65532:65532 package.json ./
COPY --chown=65532:65532 bin ./bin
COPY --chown=65532:65532 src ./src
COPY --chown=65532:65532 config ./config
COPY --chown=65532:65532 templates ./templates
USER 65532:65532
EXPOSE 4000
# The distroless image's entrypoint is `node`.
CMD ["bin/bulwark.js", "serve", "--host", "0.0.0.0", "--port", "4000"]
