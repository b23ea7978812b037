export { ISOLATION_HEADERS, StaticServerOptionsError, startStaticServer, type Mount, type StaticServer, type StaticServerOptions } from './server.js';
export { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_GPU_ARGS } from './chromium.js';
