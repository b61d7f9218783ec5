// End-to-end tests start the real api and worker processes on a fresh SQLite file and the real Redis.
module.exports = { ...require('../../jest.preset.js'), displayName: 'e2e', rootDir: __dirname, testTimeout: 120_000 };
