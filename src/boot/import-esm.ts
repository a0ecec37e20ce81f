// dist/import-esm.cjs: Node's own import() for the bundles in dist/lib. Those are compiled through
// vm.Script for the code cache, and on Node 20 a vm.Script cannot import() without a flag; this
// file sits outside dist/lib, so Node compiles it itself and its import() works. Only the ESM
// dashboard (ink) is loaded this way.

export default function importEsm(url: string): Promise<unknown> {
  return import(url);
}
