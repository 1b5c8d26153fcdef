import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Files that hold live session values (HAR exports, capture journals): created readable by the
 * owner only, and put in place by a rename so a crash never leaves half a file where a good one
 * was. A rename also replaces the old file's inode, so an existing 0644 file does not lend its
 * permissions to the new content.
 */
export const SECRET_FILE_MODE = 0o600;

/** A temporary name next to `target` (same folder, so the final rename stays on one file system). */
export function siblingTempPath(target: string, tag: string): string {
  return join(dirname(target), `.${basename(target)}.${tag}-${process.pid}-${Date.now().toString(36)}`);
}

/** Flushes a folder's entries (a rename) to disk; file systems that cannot fsync a folder are skipped. */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Windows and some network file systems refuse to open or fsync a directory.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function syncFolderSync(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // As above.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Renames a finished, fsynced temporary file over `target` and makes the rename durable. */
export async function commitFile(tempPath: string, target: string): Promise<void> {
  await rename(tempPath, target);
  await syncFolder(dirname(target));
}

/** `commitFile` without yielding, for a process that is about to exit. */
export function commitFileSync(tempPath: string, target: string): void {
  renameSync(tempPath, target);
  syncFolderSync(dirname(target));
}

/**
 * Writes `data` to `target` atomically with mode 0600: a temporary file in the same folder
 * (created exclusively, 0600 from the start), fsync, rename over the target, fsync of the
 * folder. Either the old file stays untouched or the new one is complete. The temporary file
 * is removed when anything fails.
 */
export async function writeSecretFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = siblingTempPath(target, 'tmp');
  const handle = await open(temp, 'wx', SECRET_FILE_MODE);
  let committed = false;
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    await commitFile(temp, target);
    committed = true;
  } finally {
    if (!committed) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    }
  }
}

/** Removes a temporary file, ignoring a file that is already gone. */
export function removeQuietlySync(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
