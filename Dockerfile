# syntax=docker/dockerfile:1
# Courier's container image: compiled on the full Node.js 26 image, run on distroless Node.js 26 as non-root.
#
# Build:   docker build -t courier:dev .
# Runtime: no shell, no npm; the process only writes its socket (and, with --write-files, the kubelet pods dir),
# so the container runs with readOnlyRootFilesystem: true.

ARG BUILD_IMAGE=node:26-trixie
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs26-debian13:nonroot

# 1. Compile TypeScript to dist/ (needs the dev dependencies: typescript).
FROM ${BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY proto ./proto
RUN npm run build

# 2. Production dependencies only. `node` (the Node.js binary package) is a dev dependency, so it is not
#    installed here: the runtime image's own Node.js runs Courier. No dependency needs an install script.
FROM ${BUILD_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime: distroless (glibc, CA certificates, tzdata, Node.js; no shell). User 65532 = "nonroot".
FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production
# A small young generation: under a burst of Mounts V8 otherwise grows it to tens of MiB per
# semi-space; capped at 2 MiB the peak RSS of the core benchmark drops from ~234 to ~179 MiB for
# ~10% less throughput. An explicit old-generation limit makes V8 start the heap small and grow it
# slowly instead of sizing it from the machine: peak RSS under 16 concurrent Mounts 168 -> 114 MiB,
# under 2,000 at once 183 -> 136 MiB, for ~6% more CPU per Mount (docs/operations.md, "Footprint").
# 256 MiB leaves the chart's 512Mi limit room for buffers, code and the SDKs.
# bench/cases/core-local.ts and footprint.ts run the server with these same options.
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY proto ./proto
USER 65532:65532
# `courier serve`; flags (or COURIER_* variables) come from the DaemonSet.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js", "serve"]
