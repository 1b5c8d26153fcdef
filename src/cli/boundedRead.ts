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
 * The bytes of a file the user named, in chunks, never more than `limit` + 1 bytes whatever it
 * is: a regular file larger than the limit is refused from its size before any byte is read, and
 * a character device or FIFO (`/dev/zero`, `<(yes)`) is read only until it passes the limit.
 * `what` names the file in messages ("key file 'k.pem'"). Throws UsageError. The chunk buffer
 * is reused: a consumer keeps copies of what it keeps.
 */
export async function* fileChunksBounded(file: string, cwd: string, limit: number, what: string, chunkBytes = 1024 * 1024): AsyncGenerator<Buffer> {
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
    const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, limit + 1));
    let total = 0;
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, limit + 1 - total), null));
      } catch (err) {
        throw readError(err, what);
      }
      if (bytesRead === 0) return;
      total += bytesRead;
      if (total > limit) throw new UsageError(`${what} is larger than ${byteSize(limit)}`);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** A whole file the user named, read as fileChunksBounded reads it (at most `limit` bytes). */
export async function readFileBounded(file: string, cwd: string, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of fileChunksBounded(file, cwd, limit, what, 64 * 1024)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The chunks of a stream (standard input), refusing with `tooLarge` once it passes `limit` bytes. */
export async function* streamChunksBounded(stream: NodeJS.ReadableStream, limit: number, tooLarge: string): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > limit) throw new UsageError(tooLarge);
    yield buf;
  }
}

/** Reads a stream (standard input) to its end, refusing with `tooLarge` once it passes `limit` bytes. */
export async function readStreamBounded(stream: NodeJS.ReadableStream, limit: number, tooLarge: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of streamChunksBounded(stream, limit, tooLarge)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
