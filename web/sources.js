// sources.js: where the page's two binaries come from, the training worker's script
// and the WebAssembly library. Served, they are files beside the page. The single
// offline file (./build.sh dist) replaces this module with a twin that carries both
// inline (dist/sources-inline.js, generated), so nothing else knows how it was opened.

/** The URL of the training worker's module script. */
export const workerUrl = () => new URL('./worker.js', import.meta.url);
/** ... and its kind: an ES module (the single file's is a classic script, bundled). */
export const workerType = 'module';

/** How compileIAM gets the .wasm bytes: undefined, so it fetches the build beside wasm/iam.js. */
export const wasmBytes = undefined;
