/**
 * Sees every WebAssembly instance created after it is loaded, so bench/memory.ts can read the size of SQLite's
 * WASM memory (node-sqlite3-wasm keeps its `Memory` to itself). Import it before anything that loads the
 * WebAssembly module: node-sqlite3-wasm instantiates synchronously, with `new WebAssembly.Instance`.
 */

/** The part of the WebAssembly global this module uses (the Node typings here do not declare it). */
interface WasmGlobal {
  Instance: new (...args: unknown[]) => { readonly exports: Record<string, unknown> };
  Memory: abstract new (...args: unknown[]) => { readonly buffer: ArrayBuffer };
}

const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
const memories: Array<{ readonly buffer: ArrayBuffer }> = [];

wasm.Instance = new Proxy(wasm.Instance, {
  construct(target, args: unknown[]): object {
    const instance = Reflect.construct(target, args);
    for (const value of Object.values(instance.exports)) if (value instanceof wasm.Memory) memories.push(value);
    return instance;
  },
});

/** Bytes of every WebAssembly memory created since this module loaded (a memory only grows). */
export function wasmMemoryBytes(): number {
  return memories.reduce((sum, m) => sum + m.buffer.byteLength, 0);
}
