# tfjs-node-gpu 4.x binds libtensorflow 2.9, built for CUDA 11.2 and cuDNN 8.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc: onnxruntime-node keeps to its bundled CPU binaries (no CUDA 12 download).
COPY package.json package-lock.json .npmrc ./
# npm 10 runs install scripts: tfjs-node-gpu's fetches libtensorflow here.
RUN npm ci --include=optional --foreground-scripts
COPY . .
RUN npm run build && npm prune --omit=dev
EXPOSE 4000
CMD ["node", "dist/main.js"]
