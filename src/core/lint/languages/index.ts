import type { LanguageAnalyzer } from '../analyzer';
import type { LintLanguage } from '../types';
import { javascriptAnalyzer } from './javascript';
import { csharpAnalyzer } from './csharp';
import { goAnalyzer } from './go';
import { iniAnalyzer } from './ini';
import { javaAnalyzer } from './java';
import { appSettingsAnalyzer } from './appSettings';
import { webXmlAnalyzer } from './webXml';
import { propertiesAnalyzer, yamlAnalyzer } from './springConfig';
import { phpAnalyzer } from './php';
import { pythonAnalyzer } from './python';
import { rubyAnalyzer } from './ruby';

const none: LanguageAnalyzer = {
  query: '(ERROR) @e',
  containers: new Set(),
  keywords: /$^/,
  declares: () => [],
  analyze: () => undefined,
};

/** The analyzer of a language. */
export function analyzerFor(language: LintLanguage): LanguageAnalyzer {
  switch (language) {
    case 'javascript':
    case 'typescript':
    case 'tsx':
      return javascriptAnalyzer;
    case 'python':
      return pythonAnalyzer;
    case 'php':
      return phpAnalyzer;
    case 'ruby':
      return rubyAnalyzer;
    case 'ini':
      return iniAnalyzer;
    case 'csharp':
      return csharpAnalyzer;
    case 'go':
      return goAnalyzer;
    case 'java':
      return javaAnalyzer;
    case 'properties':
      return propertiesAnalyzer;
    case 'yaml':
      return yamlAnalyzer;
    case 'xml':
      return webXmlAnalyzer;
    case 'json':
      return appSettingsAnalyzer;
    default:
      return none;
  }
}
