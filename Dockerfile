# The API on the CPU: ResNet50 on ONNX Runtime. `docker compose up` runs it
# (docker-compose.yml); Dockerfile.gpu is the CUDA variant.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install script is needed: onnxruntime-node and sharp ship their CPU
# binaries, and tfjs-node's scripts would download libtensorflow, which only
# the GPU image uses. (npm 10, Node 20's own, ignores package.json's allowScripts.)
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts
# The weights and their ONNX conversion go into the image, so the container
# needs no network at its first start.
ENV MODEL_CACHE_DIR=/app/models
RUN node dist/cli/main.js fetch-weights

FROM node:20-bookworm-slim
ENV NODE_ENV=production MODEL_CACHE_DIR=/app/models DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app /app
# The service writes the embedded database and the search index's snapshot
# under DATA_DIR, as node: the folder is node's, and a new volume mounted
# there takes its owner from the image.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME /app/data
USER node
EXPOSE 4000
CMD ["node", "dist/main.js"]
