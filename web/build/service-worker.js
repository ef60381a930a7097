// Service worker template: the build fills in VERSION and PRECACHE (see vite-plugin-dicomforge.js).
// Precaches every file of the build (page, worker, Pyodide core, wheels, dicomforge) so the
// app works offline after the first visit; a new build has a new VERSION, whose install
// replaces the old cache completely.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `dicomforge-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("dicomforge-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Online, requests are not touched: the browser loads as without a service worker (HTTP
// cache, compiled-WebAssembly cache). Offline, or when the network fails, the precache answers.
self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (self.navigator.onLine) return;
  event.respondWith(fromPrecache(request));
});

async function fromPrecache(request) {
  const cache = await caches.open(CACHE);
  // ignoreVary: servers send "Vary: Origin", and module scripts are CORS requests that
  // carry an Origin header the precache requests did not
  return (await cache.match(request, { ignoreSearch: true, ignoreVary: true })) ?? fetch(request);
}
