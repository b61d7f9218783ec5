// One Jest run over every test project, so the summary line totals all of them.
const fs = require('node:fs');
const path = require('node:path');

function findJestConfigs(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findJestConfigs(full));
    else if (entry.name === 'jest.config.js') found.push(full);
  }
  return found;
}

module.exports = {
  projects: ['apps', 'libs', 'test']
    .filter((d) => fs.existsSync(path.join(__dirname, d)))
    .flatMap((d) => findJestConfigs(path.join(__dirname, d)))
    .sort(),
};
