module.exports = { ...require('../../../jest.preset.js'), displayName: 'warnings-domain', rootDir: __dirname };
