import { connect, type Socket } from 'node:net';

// The log capture moved to test/support (log-capture.ts) so every suite can scan its logs for personal data.
export { LogCapture, capturedContext } from '@hookbus/testing';

export interface RawAnswer {
  /** The HTTP status of the first response line, or null when the server closed without answering. */
  readonly status: number | null;
  readonly text: string;
  /** Whether the server closed the connection (within the wait). */
  readonly closed: boolean;
}

/** Opens a raw TCP connection to a URL's host and port; a test writes exactly the bytes it wants. */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends on `socket` until it closes or `timeoutMs` passes. */
export function readAnswer(socket: Socket, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text, closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

/** Sends raw bytes as one request on a fresh connection and returns the answer (the server closes or we time out). */
export async function rawRequest(url: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  const socket = await openSocket(url);
  const answer = readAnswer(socket, timeoutMs);
  socket.write(bytes);
  const result = await answer;
  socket.destroy();
  return result;
}

export interface MemoryFigures {
  readonly heapUsedMb: number;
  readonly rssMb: number;
}

export function memoryNow(): MemoryFigures {
  // A collection first when the process allows it (node --expose-gc), so the figures are live data, not garbage.
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsedMb: Math.round(heapUsed / 1e5) / 10, rssMb: Math.round(rss / 1e5) / 10 };
}
