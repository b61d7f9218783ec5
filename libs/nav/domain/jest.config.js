module.exports = { ...require('../../../jest.preset.js'), displayName: 'nav-domain', rootDir: __dirname };
