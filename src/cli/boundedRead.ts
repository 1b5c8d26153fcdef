import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './command';

/** `1048576` → `1 MiB`, for messages about limits. */
export function byteSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function readError(err: unknown, what: string): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code ?? String(err);
  return new UsageError(`cannot read ${what}: ${reason}`);
}

/**
 * Reads a file the user named, never more than `limit` + 1 bytes whatever it is: a regular file
 * larger than the limit is refused from its size before any byte is read, and a character
 * device or FIFO (`/dev/zero`, `<(yes)`) is read only until it passes the limit.
 * `what` names the file in messages ("key file 'k.pem'"). Throws UsageError.
 */
export async function readFileBounded(file: string, cwd: string, limit: number, what: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(resolve(cwd, file), constants.O_RDONLY);
  } catch (err) {
    throw readError(err, what);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new UsageError(`cannot read ${what}: it is a directory`);
    if (st.isFile() && st.size > limit) throw new UsageError(`${what} is larger than ${byteSize(limit)} (${st.size} bytes)`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // Regular files: one read of their size (plus one byte, in case the file grew). Others: 64 KiB at a time.
      const want = Math.min(limit + 1 - total, st.isFile() && total === 0 ? st.size + 1 : 64 * 1024);
      const chunk = Buffer.allocUnsafe(Math.max(1, want));
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(chunk, 0, chunk.length, null));
      } catch (err) {
        throw readError(err, what);
      }
      if (bytesRead === 0) break;
      chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limit) throw new UsageError(`${what} is larger than ${byteSize(limit)}`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** Reads a stream (standard input) to its end, refusing with `tooLarge` once it passes `limit` bytes. */
export async function readStreamBounded(stream: NodeJS.ReadableStream, limit: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > limit) throw new UsageError(tooLarge);
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}
