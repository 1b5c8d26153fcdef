import * as path from 'node:path';
import * as vscode from 'vscode';
import { lintEngine } from '../engines/index';
import type { LintService } from './lintService';
import { folderExcludes, localFolders } from './workspaceFiles';

/**
 * Scan Workspace: lints every supported file of every folder on both cores, honouring
 * `.gitignore`, `files.exclude`, `search.exclude` and `sessionLens.lint.exclude`, with progress
 * and cancellation. Results go to the Problems panel.
 */
export async function scanWorkspace(lint: LintService, log: vscode.LogOutputChannel): Promise<{ files: number; findings: number; cancelled: boolean } | undefined> {
  const folders = localFolders();
  if (folders.length === 0) {
    void vscode.window.showInformationMessage('Session Lens: open a folder to scan.');
    return undefined;
  }
  const { scanFiles } = lintEngine();
  const options = lint.lintOptions();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Session Lens: scanning the workspace', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let files = 0;
      let findings = 0;
      const tables: Awaited<ReturnType<typeof scanFiles>>['symbols'][] = [];
      for (const folder of folders) {
        const root = folder.uri.fsPath;
        const exclude = folderExcludes(folder, lint);
        let reported = 0;
        const result = await scanFiles([root], {
          ...options,
          cwd: root,
          exclude,
          gitignore: true,
          signal: controller.signal,
          workerEntry: path.join(lint.extensionPath, 'dist', 'engines', 'lint.js'),
          onProgress: (done, total) => {
            const pct = Math.floor((done / total) * 100);
            progress.report({ message: `${folder.name}: ${done}/${total} files`, increment: (pct - reported) / folders.length });
            reported = pct;
          },
        });
        const byFile = new Map<string, typeof result.findings>();
        for (const f of result.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
        for (const [file, list] of byFile) lint.setScanned(vscode.Uri.file(file), list);
        for (const p of result.problems) log.warn(`scan: ${path.relative(root, p.file)}: ${p.message}`);
        tables.push(result.symbols);
        files += result.files;
        findings += result.findings.length;
        if (result.cancelled) return { files, findings, cancelled: true };
      }
      lint.useWorkspaceSymbols(tables);
      log.info(`scan: ${files} files, ${findings} findings`);
      return { files, findings, cancelled: false };
    },
  );
}
