import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests start real servers; give them room on a shared 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'secmon', include: ['test/**/*.test.ts'], env: { SECMON_EXPRESS_MAJOR: '5' } },
      },
      {
        // Express is a peer dependency (^4.21.2 || ^5.0.0): the middleware tests run once more with
        // every `express` import (the tests' apps and secmon's own) resolved to Express 4, as in an
        // Express 4 app that installed secmon.
        extends: true,
        test: { name: 'express4', include: ['test/http/**/*.test.ts'], env: { SECMON_EXPRESS_MAJOR: '4' } },
        resolve: {
          alias: [
            { find: /^express$/, replacement: 'express4' },
            { find: /^express\/(.*)$/, replacement: 'express4/$1' },
          ],
        },
      },
    ],
  },
});
