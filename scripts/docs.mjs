// npm run docs: writes the settings table (src/settings/table.ts) into README.md between its
// <!-- settings:begin --> and <!-- settings:end --> markers. Run after `npm run build`.
import { readFile, writeFile } from 'node:fs/promises';
import { settingsTable } from '../dist/src/settings/settings.js';

const readme = new URL('../README.md', import.meta.url);
const text = await readFile(readme, 'utf8');
const marked = /(<!-- settings:begin[^>]*-->\n)[\s\S]*?(<!-- settings:end -->)/;
if (!marked.test(text)) throw new Error('README.md lacks the <!-- settings:begin --> ... <!-- settings:end --> markers');
await writeFile(
  readme,
  text.replace(marked, (_m, begin, end) => begin + settingsTable() + end),
);
console.log('README.md: settings table written');
