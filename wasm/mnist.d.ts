// mnist.d.ts: the types of wasm/mnist.js (real MNIST digits at 14×14).
export interface Mnist { count: number; side: number; classes: number; labels: Int32Array; pixels: Uint8Array; counts: number[] }
export declare const MNIST: Readonly<{ magic: string; side: number; classes: number; headerBytes: number; file: string }>;
export declare function parseMnist(bytes: Uint8Array | ArrayBuffer): Mnist;
/** The rows a trainer takes: x = pixels / 255 (count·side²), dim = side² */
export declare function mnistRows(m: Mnist): { x: Float32Array; labels: Int32Array; dim: number; classes: number };
export declare function mnistDigest(m: Mnist): string;
export declare function loadMnist(url?: URL | string): Promise<Mnist>;
