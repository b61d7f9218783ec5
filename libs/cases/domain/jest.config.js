module.exports = { ...require('../../../jest.preset.js'), displayName: 'cases-domain', rootDir: __dirname };
