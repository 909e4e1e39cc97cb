// csv.d.ts: the types of wasm/csv.js (labelled rows x1,…,xk,label in and out).
export interface CsvRows { x: Float32Array; labels: Int32Array; dim: number; classes: number; names: string[]; header: string[] | null; rows: number }
export declare const CSV_LIMITS: Readonly<{ bytes: number; rows: number; dims: number; classes: number }>;
export declare class CsvError extends Error { line: number | null; column: number | null }
export declare function parseCsv(text: string, limits?: Partial<typeof CSV_LIMITS>): CsvRows;
export declare function decodeCsvBytes(bytes: Uint8Array | ArrayBuffer, limits?: Partial<typeof CSV_LIMITS>): CsvRows;
export declare function toCsv(set: { x: Float32Array; labels: Int32Array; dim: number; names?: string[] | null; header?: string[] | null }): string;
