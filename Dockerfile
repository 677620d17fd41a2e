# One image for every Parley node: the built client plus the server, run by Bun.
FROM oven/bun:1.4 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN bun install
COPY . .
RUN bun scripts/build.ts

FROM oven/bun:1.4
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY src ./src
EXPOSE 3000
# SIGTERM drains (see docs/DEPLOY.md); bun as PID 1 gets it directly.
CMD ["bun", "src/server/main.ts"]
