FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production PORT=4000 HOST=0.0.0.0
EXPOSE 4000
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "app/main.ts", "serve"]
