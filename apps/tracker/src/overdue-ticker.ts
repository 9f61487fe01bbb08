import type { Producer } from 'kafkajs';
import { RenewableIdempotentProducer } from '@hookbus/kafka';
import { overdueTick } from './tracking.sink';

/**
 * Overdue checks travel through the consumer like any input (a tick per partition on the hints topic), so they are
 * evaluated by the partition's owner inside its transaction, never beside it. Returns the stop.
 *
 * The ticks' producer is idempotent, so it is a RenewableIdempotentProducer (libs/kafka renewable-producer.ts): after a
 * failed send the next ticks go out on a new session, not under sequence numbers kafkajs handed back although the
 * broker may have appended them (before, the next ticks could be answered as that send's duplicate and dropped: an
 * overdue notice one interval late). And one send at a time: an interval that ends while the last ticks are still
 * unanswered (kafkajs retries for tens of seconds with the broker away) sends none — the next tick carries a later
 * time, which covers the skipped one — so ticks neither overlap on the session nor pile up behind an outage. A first
 * connection that fails is tried again by the next tick (before, no tick was ever sent after it).
 */
export function startOverdueTicks(createProducer: () => Producer, partitions: number, intervalMs: number, onError: (error: unknown) => void): () => Promise<void> {
  const producer = new RenewableIdempotentProducer(createProducer);
  let stopped = false;
  const report = (error: unknown): void => {
    if (!stopped) onError(error);
  };
  /** The first connection, then each tick's send: while one is under way an interval sends nothing. */
  let busy = true;
  const done = (): void => {
    busy = false;
  };
  void producer.connect().catch(report).finally(done);
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const now = new Date();
    const ticks = Array.from({ length: partitions }, (_, p) => overdueTick(p, now));
    void producer.send(ticks).catch(report).finally(done);
  }, intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    // Ticks in flight are not waited for: a later tracker's ticks carry a later time. A renewal still connecting
    // disconnects its producer itself once that settles.
    await producer.disconnect({ renewalWaitMs: 0 }).catch(() => undefined);
  };
}
