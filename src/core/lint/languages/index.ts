import type { LanguageAnalyzer } from '../analyzer';
import type { LintLanguage } from '../types';
import { javascriptAnalyzer } from './javascript';
import { pythonAnalyzer } from './python';

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
    default:
      return none;
  }
}
