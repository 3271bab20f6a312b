# The dagent worker image used by docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
# `npm ci` builds dist/ (the compiled CLI and the prebuilt workflow bundle) through `prepare`;
# the build tools are dropped afterwards.
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENTRYPOINT ["node", "bin/dagent.js"]
CMD ["worker"]
