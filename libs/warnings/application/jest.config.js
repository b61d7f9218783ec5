module.exports = { ...require('../../../jest.preset.js'), displayName: 'warnings-application', rootDir: __dirname };
