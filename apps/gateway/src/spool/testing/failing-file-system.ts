import { existsSync, statSync } from 'node:fs';
import { nodeSpoolFileSystem, type SpoolFile, type SpoolFileSystem } from '../spool-file-system';

export type FileOperation = keyof Omit<SpoolFileSystem, 'open'> | 'open' | keyof SpoolFile;

/**
 * The real file system, except that a chosen operation fails on command (EIO unless told otherwise) — for tests of
 * what the spool does when the disk fails at a given step. `open` can be limited to paths containing a string.
 */
export class FailingFileSystem implements SpoolFileSystem {
  private readonly failures = new Map<FileOperation, { skip: number; times: number; code: string; pathIncludes?: string }>();
  /** Operations that were made to fail, in order. */
  readonly failed: FileOperation[] = [];

  /**
   * A disk with no free block: creating a file, writing a whole new one, and writing past the last block a file
   * already has fail with ENOSPC; reading, writing within a file's blocks, renaming, truncating and deleting work.
   */
  full = false;
  /** The disk's block size for `full` (1: no write past a file's end at all). */
  blockBytes = 4096;

  constructor(private readonly real: SpoolFileSystem = nodeSpoolFileSystem) {}

  /**
   * After `skip` more calls of `operation` succeed, the next `times` calls throw an errno error (only calls on a path
   * containing `pathIncludes`, if given, count).
   */
  fail(operation: FileOperation, options: { skip?: number; times?: number; code?: string; pathIncludes?: string } = {}): void {
    this.failures.set(operation, { skip: options.skip ?? 0, times: options.times ?? 1, code: options.code ?? 'EIO', pathIncludes: options.pathIncludes });
  }

  heal(): void {
    this.failures.clear();
  }

  mkdir = (path: string) => this.call('mkdir', path, () => this.real.mkdir(path));
  readdir = (path: string) => this.call('readdir', path, () => this.real.readdir(path));
  readFile = (path: string) => this.call('readFile', path, () => this.real.readFile(path));
  writeFile = (path: string, data: string | Buffer) => this.call('writeFile', path, () => (this.full ? noSpace('writeFile', path) : this.real.writeFile(path, data)));
  rename = (from: string, to: string) => this.call('rename', to, () => this.real.rename(from, to));
  rm = (path: string) => this.call('rm', path, () => this.real.rm(path));
  syncDirectory = (path: string) => this.call('syncDirectory', path, () => this.real.syncDirectory(path));

  open = (path: string, mode: 'read' | 'write' | 'create'): Promise<SpoolFile> =>
    this.call('open', path, async () => {
      if (this.full && mode === 'create' && !existsSync(path)) return noSpace('open', path);
      const file = await this.real.open(path, mode);
      const blocks = (bytes: number) => Math.ceil(bytes / this.blockBytes);
      const growing = (buffers: Buffer[], position: number) => blocks(position + buffers.reduce((sum, b) => sum + b.length, 0)) > blocks(statSync(path).size);
      return {
        writev: (buffers, position) => this.call('writev', path, () => (this.full && growing(buffers, position) ? noSpace('writev', path) : file.writev(buffers, position))),
        read: (buffer, offset, length, position) => this.call('read', path, () => file.read(buffer, offset, length, position)),
        datasync: () => this.call('datasync', path, () => file.datasync()),
        sync: () => this.call('sync', path, () => file.sync()),
        truncate: (length) => this.call('truncate', path, () => file.truncate(length)),
        close: () => this.call('close', path, () => file.close()),
      };
    });

  private async call<T>(operation: FileOperation, path: string, real: () => Promise<T>): Promise<T> {
    const failure = this.failures.get(operation);
    if (failure && failure.times > 0 && (failure.pathIncludes === undefined || path.includes(failure.pathIncludes))) {
      if (failure.skip > 0) {
        failure.skip--;
        return real();
      }
      failure.times--;
      this.failed.push(operation);
      throw Object.assign(new Error(`${failure.code}: injected failure of ${operation} ${path}`), { code: failure.code });
    }
    return real();
  }
}

function noSpace(operation: string, path: string): never {
  throw Object.assign(new Error(`ENOSPC: no space left on device, ${operation} '${path}'`), { code: 'ENOSPC' });
}
