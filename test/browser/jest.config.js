// Browser tests: Debian's Chromium through playwright-core against the real api and worker
// (TestSystem) and the built web app (apps/web/dist; scripts/test-all.sh builds it before Jest).
module.exports = { ...require('../../jest.preset.js'), displayName: 'browser', rootDir: __dirname, setupFilesAfterEnv: ['<rootDir>/../e2e/support/timeout.ts'] };
