# One image for both apps (the command decides which runs); each side still deploys on its own.
#   docker build -t analytics-engine .
#   docker run analytics-engine node dist/apps/command-api/main.js migrate   # then without `migrate` to serve
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build command-api && npx nest build query-api && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 3001 3002
CMD ["node", "dist/apps/command-api/main.js"]
