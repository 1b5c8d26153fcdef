import * as fs from 'node:fs';
import { loadLanguage, newParser } from '../../../src/core/lint/grammars';
(async () => {
  const lang = await loadLanguage(process.argv[2] as 'python');
  const t = newParser(lang).parse(fs.readFileSync(process.argv[3], 'utf8'))!;
  console.log(t.rootNode.toString().replace(/\) \(/g, ')\n('));
})();
