module.exports = { ...require('../../../jest.preset.js'), displayName: 'people-domain', rootDir: __dirname };
