module.exports = { ...require('../../../jest.preset.js'), displayName: 'nav-application', rootDir: __dirname };
