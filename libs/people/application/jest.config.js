module.exports = { ...require('../../../jest.preset.js'), displayName: 'people-application', rootDir: __dirname };
