#!/usr/bin/env bash
# CI entry point for the TypeScript SDK: clean install from the lock file, build, unit tests.
# Needs only Node >= 20 and npm (buf and protoc-gen-es come from npm). Integration tests are separate:
# SWITCHBOARD_URL=ws://localhost:8080/ws SWITCHBOARD_TOKEN_URL=http://localhost:8080/demo/token npm run test:integration
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run build
npm test
