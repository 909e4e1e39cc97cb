// library.js: the WebAssembly library, fetched and compiled once for the page.
//
// The main thread instantiates it to read what C owns (the names of the loss kinds,
// data sets and optimizers, and the training defaults); every panel's Web Worker
// instantiates the same compiled module, which is posted to it, so the .wasm is
// downloaded and compiled once however many panels come and go.
import { compileIAM, loadIAM } from '../wasm/iam.js';
import { wasmBytes } from './sources.js';

export const compiled = await compileIAM({ bytes: wasmBytes });
export const lib = await loadIAM(compiled);
