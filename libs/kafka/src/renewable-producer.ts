import type { Producer, RecordMetadata } from 'kafkajs';
import { TransientError } from '@hookbus/contracts';
import { MAX_PRODUCE_REQUEST_BYTES, sendRecords, type OutgoingRecord } from './records';

/** What sends records on a producer session (RenewableIdempotentProducer; specs may stand in for it). */
export interface RecordSender {
  /** Produces `records` in requests of at most `maxRequestBytes` (a larger record goes alone), acks from all in-sync replicas. */
  send(records: readonly OutgoingRecord[], maxRequestBytes?: number): Promise<RecordMetadata[]>;
}

export interface RenewableProducerOptions {
  /** Told each time a new session replaced one a send failed on (not for the first connection). */
  readonly onRenewed?: () => void;
}

/**
 * An idempotent kafkajs producer that never sends on a session a send failed on, and never has two sends in flight.
 * Used by every idempotent (non-transactional) writer: the gateway (through CoalescingProducer), the plain stages
 * (PlainUnitOfWork) and the tracker's overdue ticks. The tracker's transactional producers start afresh after a failed
 * transaction by their own mechanism (transactional-unit-of-work.ts).
 *
 * Why a new session after a failed send: kafkajs hands a failed produce's sequence numbers back
 * (producer/sendMessages.js), yet the broker may have appended it (a request timeout, NOT_ENOUGH_REPLICAS_AFTER_APPEND,
 * a leader that appended and then lost its connection). The next batch, other records under the same producer id and
 * sequence numbers, is then taken by the broker for a retry of the appended one: answered success with the old
 * batch's offset, and never written (the three-broker fault scenario lost 2–4 acknowledged webhooks per leader
 * failover that way). A new session (connect() asks for a new producer id, sequence numbers from 0) cannot be
 * mistaken for the old one. Records of the failed send that were appended and are sent again are duplicates, which
 * downstream deduplicates.
 *
 * Why one send at a time: the numbers are handed back when the failed request returns, inside kafkajs' per-broker
 * lock, while the send itself is still retrying (an idempotent kafkajs producer retries for tens of seconds before it
 * gives up). A second send waiting for that lock takes the handed-back numbers at once — nothing has failed yet that
 * could mark the session spent — and is acknowledged as the duplicate of the appended request: lost, with no failure
 * anywhere if the first send's retry then succeeds. So sends take turns; kafkajs already serialised the requests to
 * one broker (maxInFlightRequests 1), what is given up is overlapping sends to different brokers.
 *
 * The session is renewed before the next send, not right after the failure: a renewal that fails (the broker still
 * away) leaves the session spent, and every later send tries again first — it never falls back to the failed session.
 * A first connection that fails is handled alike: the next connect() or send() tries on a new producer.
 */
export class RenewableIdempotentProducer implements RecordSender {
  private producer: Producer;
  /**
   * `new`: created, not connected yet; `live`: sends go out on it; `spent`: a send or a connection attempt failed on
   * it, the next send opens a new session first; `closed`: disconnect() was called, nothing opens or sends again.
   */
  private state: 'new' | 'live' | 'spent' | 'closed' = 'new';
  /** A session connected at least once (readiness, see isConnected). */
  private opened = false;
  /** The connection or renewal in progress, shared by every caller that needs a live session meanwhile. */
  private opening: Promise<void> | null = null;
  /** Tail of the sends: each one starts after the previous one settled. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly createProducer: () => Producer,
    private readonly options: RenewableProducerOptions = {},
  ) {
    this.producer = createProducer();
  }

  /** Connects the first session; one attempt at a time. A failed attempt leaves the next connect() or send() to try on a new producer. */
  connect(): Promise<void> {
    return this.liveSession();
  }

  /**
   * Ready to be asked for writes: a session connected once, and disconnect() not called. A spent session, a renewal in
   * progress and a renewal the broker refused do not change it: as before sessions were renewed, a broker outage does
   * not make the writer unready. That is deliberate: the gateway without a spool answers readiness from this, and an
   * unready pod gets no request whose send would renew the session — after an outage every such replica stayed
   * unready with Kafka back (the cold review's finding). A send during an outage fails and is answered 503.
   */
  isConnected(): boolean {
    return this.opened && this.state !== 'closed';
  }

  /** A send failed on the current session (or its connection did): the next send first opens a new one. */
  get spent(): boolean {
    return this.state === 'spent';
  }

  /**
   * Sends after every earlier send has settled, on a live session (opened first if the last one is spent), and marks
   * the session spent if it fails. Rejects without sending once disconnect() was called.
   */
  send(records: readonly OutgoingRecord[], maxRequestBytes = MAX_PRODUCE_REQUEST_BYTES): Promise<RecordMetadata[]> {
    const turn = this.tail.then(() => this.sendNow(records, maxRequestBytes));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Nothing opens or sends after this. Disconnects the current producer, and a renewal's new producer once its
   * connection attempt settles: waits for that at most `renewalWaitMs` (kafkajs' connection retries can take tens of
   * seconds with the broker away, longer than a stop may wait; the renewal disconnects its producer itself then).
   */
  async disconnect(options: { renewalWaitMs?: number } = {}): Promise<void> {
    this.state = 'closed';
    const opening = this.opening?.catch(() => undefined);
    await this.producer.disconnect();
    if (!opening) return;
    const waitMs = options.renewalWaitMs ?? Number.POSITIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    const bound = Number.isFinite(waitMs) ? new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs))) : new Promise<void>(() => undefined);
    await Promise.race([opening, bound]);
    clearTimeout(timer);
  }

  private async sendNow(records: readonly OutgoingRecord[], maxRequestBytes: number): Promise<RecordMetadata[]> {
    await this.liveSession();
    // disconnect() between the session opening and this turn: refused like any later send, never tried on it.
    if (this.isClosed()) throw closedError();
    const producer = this.producer;
    try {
      return await sendRecords(producer, records, maxRequestBytes);
    } catch (error) {
      if (producer === this.producer && this.state === 'live') this.state = 'spent';
      throw error;
    }
  }

  private liveSession(): Promise<void> {
    if (this.state === 'live') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(closedError());
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    // A session was live before: this is a renewal (else the first connection, or another try at it).
    const renewal = this.opened;
    if (this.state === 'spent') {
      await this.producer.disconnect().catch(() => undefined);
      // disconnect() may have been called meanwhile: it disconnected the spent producer, nothing new is made.
      if (this.isClosed()) throw closedError();
      this.producer = this.createProducer();
    }
    // From here disconnect() disconnects this producer itself (it is the current one) while it connects.
    const producer = this.producer;
    try {
      // connect() asks for a new producer id: the new session's sequence numbers start from 0.
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      if (!this.isClosed()) this.state = 'spent';
      throw error;
    }
    if (this.isClosed()) {
      await producer.disconnect().catch(() => undefined);
      throw closedError();
    }
    this.state = 'live';
    this.opened = true;
    if (renewal) this.options.onRenewed?.();
  }

  /** disconnect() may run during any await of open(). */
  private isClosed(): boolean {
    return this.state === 'closed';
  }
}

function closedError(): TransientError {
  return new TransientError('kafka.producer_closed', 'the producer was disconnected (the service is stopping)');
}
