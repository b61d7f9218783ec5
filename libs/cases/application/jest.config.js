module.exports = { ...require('../../../jest.preset.js'), displayName: 'cases-application', rootDir: __dirname };
