# syntax=docker/dockerfile:1
# The secmon service image. Multi-stage: TypeScript is compiled in `build`, production dependencies
# are installed in `deps`, and the final image holds only dist/, node_modules and package.json,
# running as the unprivileged `node` user.
#   docker build -t secmon .
#   docker run --rm -p 9870:9870 -e SECMON_INGEST_TOKENS=change-me secmon
# Node.js 26 is the current Active LTS line (Debian 13 "trixie" slim variant).
ARG NODE_IMAGE=node:26-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/cjs-declarations.ts ./scripts/
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SECMON_HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json README.md LICENSE CHANGELOG.md ./
USER node
EXPOSE 9870
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SECMON_PORT || 9870) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command `npm start` runs (without its rebuild step: dist/ is already built).
CMD ["node", "dist/service/cli.js", "serve"]
