// The YAML parser, behind a module of our own so it loads only when a config file exists
// (a static import here bundles correctly; a dynamic import of the CJS package does not).
export { parse } from 'yaml';
