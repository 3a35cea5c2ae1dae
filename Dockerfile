# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile server, dashboard and SDK, then drop dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
# argon2 builds from source when no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

# Runtime stage: Node, Debian's Chromium for rendering (playwright-core drives /usr/bin/chromium), no build tools.
FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/drizzle ./drizzle
# The guides the server shows at /docs/guide/ (src/http/guide.ts).
COPY --from=build --chown=node:node /app/docs ./docs
RUN mkdir -p /app/data && chown node:node /app/data
# The node image's unprivileged user (uid 1000); nothing in the image runs as root.
USER node
EXPOSE 8080
VOLUME ["/app/data"]
# Ready means database reachable, migrations applied and queue reachable; slim images have no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "dist/cli/main.js"]
CMD ["serve"]
