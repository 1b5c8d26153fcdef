import * as path from 'node:path';

/** The bundled sample app (test/fixtures/sample-app), running in this process on 127.0.0.1. */
export interface SampleApp {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the sample app from the repository at `repoRoot` on a free port, with its behaviour switches (see server.js). */
export function startSampleApp(repoRoot: string, options: Record<string, unknown> = {}): Promise<SampleApp> {
  // A runtime path: the host suite is bundled, the app and its dependencies stay in the repository.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { start } = require(path.join(repoRoot, 'test', 'fixtures', 'sample-app', 'server.js')) as { start(port: number, options: Record<string, unknown>): Promise<SampleApp> };
  return start(0, options);
}
