// Vite's logger without one known, harmless warning: the Cornerstone codecs' Emscripten glue
// requires "fs" and "path" only when it runs under Node, which Vite reports as externalized
// for the browser on every build (the codecs run in the worker and never take that branch).
import { createLogger } from "vite";

export function quietLogger() {
  const logger = createLogger();
  const warn = logger.warn.bind(logger);
  logger.warn = (message, options) => {
    if (message.includes("externalized for browser compatibility") && message.includes("@cornerstonejs/codec-")) return;
    warn(message, options);
  };
  return logger;
}
