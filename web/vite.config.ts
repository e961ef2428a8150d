import { defineConfig } from "vitest/config";

// Preact needs no plugin: the JSX transform only has to import from preact.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../src/guildhall/static",
    emptyOutDir: true,
    target: "es2020",
    // The server's CSP forbids inline scripts: never inline the module preload helper.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:5000",
      "/uploads": "http://127.0.0.1:5000",
      "/socket.io": { target: "ws://127.0.0.1:5000", ws: true },
    },
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
  },
});
