// Injected into every CommonJS bundle by scripts/build.mjs: import.meta.url for code written as ES
// modules — the bundle file's own URL (require and __filename exist there at run time).
export const __strata_module_url = require('node:url').pathToFileURL(__filename).href;
