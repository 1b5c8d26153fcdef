/**
 * The extension-host test suite: the `run()` entry @vscode/test-electron expects, also loaded
 * by the code-server test-runner extension. Runs mocha inside the real extension host.
 */
import * as fs from 'node:fs';
import { format } from 'node:util';
import Mocha from 'mocha';

export interface SuiteSummary {
  passes: number;
  failures: number;
  pending: number;
  tests: number;
}

export function run(): Promise<SuiteSummary> {
  const output = process.env.SESSION_LENS_TEST_OUTPUT;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalLog = console.log;
  const originalReporterLog = base.consoleLog;
  if (output) {
    // The extension host's console goes to its log, not to the launcher: mirror the lines to a file.
    fs.writeFileSync(output, '');
    const toFile = (...args: unknown[]) => {
      fs.appendFileSync(output, `${args.length > 0 ? format(...args) : ''}\n`);
    };
    console.log = toFile;
    base.consoleLog = toFile;
  }
  const restore = () => {
    console.log = originalLog;
    base.consoleLog = originalReporterLog;
  };
  mocha.suite.emit('pre-require', globalThis, 'host-suite', mocha);
  // Loaded after pre-require so describe/it exist; esbuild bundles these lazily.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./tests');
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        restore();
        const s = runner.stats ?? { passes: 0, failures: 0, pending: 0, tests: 0 };
        resolve({ passes: s.passes, failures: s.failures, pending: s.pending, tests: s.tests });
      });
    } catch (err) {
      restore();
      reject(err);
    }
  });
}
