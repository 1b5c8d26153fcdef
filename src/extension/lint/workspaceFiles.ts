import * as vscode from 'vscode';
import { lintEngine } from '../engines/index';
import type { LintService } from './lintService';

/** Globs switched on in a `files.exclude`-style setting. */
function enabledGlobs(section: string, key: string, folder: vscode.WorkspaceFolder): string[] {
  const value = vscode.workspace.getConfiguration(section, folder.uri).get<Record<string, unknown>>(key, {});
  return Object.entries(value ?? {}).filter(([, on]) => on === true).map(([glob]) => glob.replace(/^\*\*\//, '**/'));
}

/**
 * What a workspace-wide read of code leaves out of a folder, besides `.gitignore` (which the
 * listing applies itself): `files.exclude`, `search.exclude` and `sessionLens.lint.exclude`.
 */
export function folderExcludes(folder: vscode.WorkspaceFolder, lint: LintService): string[] {
  return [...enabledGlobs('files', 'exclude', folder), ...enabledGlobs('search', 'exclude', folder), ...lint.lintOptions().exclude ?? []];
}

/** Workspace folders on disk: the ones the lint engine's listing can walk. */
export function localFolders(): readonly vscode.WorkspaceFolder[] {
  return vscode.workspace.workspaceFolders?.filter((f) => f.uri.scheme === 'file') ?? [];
}

/**
 * The supported files of one local folder, listed the way Scan Workspace lists them (nested
 * `.gitignore` files honoured, the folder's excludes applied), at most `limit`.
 */
export async function listFolderFiles(folder: vscode.WorkspaceFolder, lint: LintService, limit: number, signal?: AbortSignal): Promise<vscode.Uri[]> {
  const { listFiles } = lintEngine();
  const { exclude: _settingExcludes, ...options } = lint.lintOptions();
  const root = folder.uri.fsPath;
  const { files } = await listFiles([root], { ...options, cwd: root, exclude: folderExcludes(folder, lint), gitignore: true, signal });
  return files.slice(0, limit).map((f) => vscode.Uri.file(f));
}
