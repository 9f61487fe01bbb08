import { closeSync, constants, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';

/** The calls the spool makes on one open file (a subset of node's FileHandle). */
export interface SpoolFile {
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every file-system call the spool makes, in one place: the spool's answers to a failing disk (a roll, a restart or a
 * probe that fails half-way) are tested by a file system that fails on command (`testing/failing-file-system.ts`).
 */
export interface SpoolFileSystem {
  mkdir(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: string | Buffer): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  /** `create`: read-write, created (0600) if missing, never O_APPEND (frames are written at explicit offsets). */
  open(path: string, mode: 'read' | 'write' | 'create'): Promise<SpoolFile>;
  /** A created, renamed or deleted file is only durable once its directory entry is fsync'd. */
  syncDirectory(path: string): Promise<void>;
}

// Read-write and created when missing, but never truncated ('w+' would) and not O_APPEND.
const OPEN_FLAGS = { read: 'r', write: 'r+', create: constants.O_RDWR | constants.O_CREAT } as const;

export const nodeSpoolFileSystem: SpoolFileSystem = {
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  readdir: (path) => readdir(path),
  readFile: (path) => readFile(path),
  writeFile: (path, data) => writeFile(path, data, { mode: 0o600 }),
  rename: (from, to) => rename(from, to),
  rm: (path) => rm(path, { force: true }),
  open: (path, mode) => open(path, OPEN_FLAGS[mode], 0o600),
  syncDirectory: async (path) => {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};

