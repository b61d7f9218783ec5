// Unit tests of the web app's pure helpers (PKCE, formatting, routing) in Node, which has WebCrypto.
module.exports = { ...require('../../jest.preset.js'), displayName: 'web', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
