module.exports = { ...require('../../../jest.preset.js'), displayName: 'ledger-application', rootDir: __dirname };
