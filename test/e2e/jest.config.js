// End-to-end tests start the real api and worker processes on a fresh SQLite file and the real Redis.
module.exports = { ...require('../../jest.preset.js'), displayName: 'e2e', rootDir: __dirname, setupFilesAfterEnv: ['<rootDir>/support/timeout.ts'] };
