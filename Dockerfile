# rtseq in a container. Two stages: the first installs the production dependencies from the lock
# file (Node 24 itself is one of them: the `node` package puts it in node_modules/.bin), the second
# carries only the application and those dependencies, and runs as an unprivileged user.
# scripts/install-check.ts performs this file's install (`RUN npm ci …`) and start
# (`ENTRYPOINT` + `CMD` with the `ENV` below) steps in a clean directory; the tests run it.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
# .dockerignore keeps what git does not ship (node_modules, data, .git) out of the image.
COPY . .

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin rtseq \
  && mkdir -p /data && chown rtseq:rtseq /data
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# HOST=0.0.0.0: inside a container the default 127.0.0.1 is unreachable from outside.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SQLITE_PATH=/data/rtseq.db PATH=/app/node_modules/.bin:$PATH
# A smaller young generation for the main thread (docs/deployment.md, "Memory").
ENV NODE_OPTIONS=--max-semi-space-size=4
USER rtseq
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "bin/probe.js", "/readyz"]
ENTRYPOINT ["node", "bin/rtseq.js"]
CMD ["serve"]
