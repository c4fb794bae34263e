import { createRequire } from 'node:module';

// Read at runtime from the package's own manifest (src/ and dist/ both sit one level below it), so
// the version is never hand-copied.
const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

/** This package's version. */
export const VERSION: string = manifest.version;
