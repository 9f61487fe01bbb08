import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { RenewableIdempotentProducer } from './renewable-producer';
import { recordBytes, type OutgoingRecord } from './records';

interface Held<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function held<T>(): Held<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const timedOut = () => Object.assign(new Error('Request Produce(key: 0, version: 7) timed out'), { name: 'KafkaJSRequestTimeoutError' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });

/**
 * One producer session (its own producer id, as the broker sees it). Each sendBatch waits until the test answers it
 * (`answer`), unless `autoAck`; `connectWith` holds or refuses its connection.
 */
class Session {
  readonly requests: string[][] = [];
  connected = false;
  disconnects = 0;
  autoAck = true;
  connectWith: (() => Promise<void>) | null = null;
  private readonly answers: Array<Held<RecordMetadata[]>> = [];

  constructor(
    readonly id: number,
    private readonly flight: { now: number; most: number },
  ) {}

  async connect(): Promise<void> {
    if (this.connectWith) await this.connectWith();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.disconnects++;
  }

  async sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (!this.connected) throw Object.assign(new Error('not connected'), { name: 'KafkaJSConnectionError' });
    this.requests.push((batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value))));
    this.flight.now++;
    this.flight.most = Math.max(this.flight.most, this.flight.now);
    try {
      if (this.autoAck) return [];
      const answer = held<RecordMetadata[]>();
      this.answers.push(answer);
      return await answer.promise;
    } finally {
      this.flight.now--;
    }
  }

  get waiting(): number {
    return this.answers.length;
  }

  answer(error?: Error): void {
    const next = this.answers.shift()!;
    if (error) next.reject(error);
    else next.resolve([]);
  }

  get sent(): string[] {
    return this.requests.flat();
  }
}

function sessions(prepare: (session: Session) => void = () => undefined) {
  const all: Session[] = [];
  const flight = { now: 0, most: 0 };
  const renewed: number[] = [];
  const producer = new RenewableIdempotentProducer(
    () => {
      const session = new Session(all.length + 1, flight);
      prepare(session);
      all.push(session);
      return session as unknown as Producer;
    },
    { onRenewed: () => renewed.push(all.length) },
  );
  return { producer, all, flight, renewed };
}

const record = (value: string): OutgoingRecord => ({ topic: 'out', key: 'k', value });

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A send of `value` on `session` fails as a timed-out produce that may have been appended. */
async function sendFailing(producer: RenewableIdempotentProducer, session: Session, value: string): Promise<void> {
  await producer.connect();
  session.autoAck = false;
  const failing = producer.send([record(value)]);
  await until(() => session.waiting === 1, 'the send in flight');
  session.answer(timedOut());
  await expect(failing).rejects.toThrow('timed out');
  session.autoAck = true;
}

describe('a new session after a failed send', () => {
  it('sends the next records on a new producer, never on the one a send failed on (its sequence numbers may name a batch the broker appended)', async () => {
    const { producer, all, renewed } = sessions();
    await producer.connect();
    await producer.send([record('a')]);
    all[0]!.autoAck = false;
    const failing = producer.send([record('b')]);
    await until(() => all[0]!.waiting === 1, 'the send in flight');
    all[0]!.answer(timedOut());
    await expect(failing).rejects.toThrow('timed out');
    expect(producer.spent).toBe(true);
    await producer.send([record('c')]);

    expect(all.map((s) => ({ id: s.id, sent: s.sent, connected: s.connected }))).toEqual([
      { id: 1, sent: ['a', 'b'], connected: false },
      { id: 2, sent: ['c'], connected: true },
    ]);
    expect(renewed).toEqual([2]);
    expect(producer.spent).toBe(false);
  });

  it('a renewal the broker refuses fails that send and leaves the session spent: the next send tries a new one again, never the failed one', async () => {
    const { producer, all, renewed } = sessions((s) => {
      if (s.id === 2) s.connectWith = async () => Promise.reject(refused());
    });
    await sendFailing(producer, all[0]!, 'a');
    await expect(producer.send([record('while-away')])).rejects.toThrow('ECONNREFUSED');
    expect(producer.spent).toBe(true);
    await producer.send([record('back')]);

    expect(all.map((s) => ({ id: s.id, sent: s.sent, connected: s.connected, disconnected: s.disconnects > 0 }))).toEqual([
      { id: 1, sent: ['a'], connected: false, disconnected: true },
      { id: 2, sent: [], connected: false, disconnected: true },
      { id: 3, sent: ['back'], connected: true, disconnected: false },
    ]);
    expect(renewed).toEqual([3]);
  });

  it('renews once for sends that were waiting when a send failed, and sends them all on the new session', async () => {
    const { producer, all } = sessions();
    await producer.connect();
    all[0]!.autoAck = false;
    const failing = producer.send([record('a')]);
    await until(() => all[0]!.waiting === 1, 'the send in flight');
    const waiting = [producer.send([record('b')]), producer.send([record('c')])];
    all[0]!.answer(timedOut());
    await expect(failing).rejects.toThrow('timed out');
    await Promise.all(waiting);
    expect(all).toHaveLength(2);
    expect(all[0]!.sent).toEqual(['a']);
    expect(all[1]!.sent).toEqual(['b', 'c']);
  });

  it('a connect() asked while the session is spent renews it once with the next send', async () => {
    const { producer, all } = sessions();
    await sendFailing(producer, all[0]!, 'a');
    await Promise.all([producer.connect(), producer.send([record('b')])]);
    expect(all).toHaveLength(2);
    expect(all[1]!.sent).toEqual(['b']);
  });

  it('a send split into several requests spends the session when a later request fails', async () => {
    const { producer, all } = sessions();
    await producer.connect();
    all[0]!.autoAck = false;
    const records = [record('x'.repeat(100)), record('y'.repeat(100))];
    const failing = producer.send(records, recordBytes(records[0]!));
    await until(() => all[0]!.waiting === 1, 'the first request');
    all[0]!.answer();
    await until(() => all[0]!.waiting === 1, 'the second request');
    all[0]!.answer(timedOut());
    await expect(failing).rejects.toThrow('timed out');
    expect(all[0]!.requests).toHaveLength(2);
    expect(producer.spent).toBe(true);
  });
});

describe('one send at a time', () => {
  it('a send starts only after the previous one settled: a second send never takes the numbers a failed request handed back', async () => {
    // kafkajs hands a failed request's sequence numbers back inside its per-broker lock while that send still
    // retries; a second send waiting for the lock would take them at once and be answered as the duplicate of the
    // appended request. With the sends taking turns, the second one goes out only after the first settled.
    const { producer, all, flight } = sessions();
    await producer.connect();
    all[0]!.autoAck = false;
    const first = producer.send([record('first')]);
    const second = producer.send([record('second')]);
    await until(() => all[0]!.waiting === 1, 'the first send');
    await new Promise((resolve) => setImmediate(resolve));
    expect(all[0]!.requests).toEqual([['first']]);
    all[0]!.answer();
    await first;
    await until(() => all[0]!.waiting === 1, 'the second send');
    all[0]!.answer();
    await second;
    expect(flight.most).toBe(1);
    expect(all[0]!.requests).toEqual([['first'], ['second']]);
  });
});

describe('connecting', () => {
  it('a first connection the broker refuses is tried again on a new producer by the next send; that is no renewal', async () => {
    const { producer, all, renewed } = sessions((s) => {
      if (s.id === 1) s.connectWith = async () => Promise.reject(refused());
    });
    await expect(producer.connect()).rejects.toThrow('ECONNREFUSED');
    expect(producer.isConnected()).toBe(false);
    await producer.send([record('a')]);
    expect(all.map((s) => s.sent)).toEqual([[], ['a']]);
    expect(producer.isConnected()).toBe(true);
    expect(renewed).toEqual([]);
  });

  it('concurrent connects share one attempt', async () => {
    const gate = held<void>();
    const { producer, all } = sessions((s) => (s.connectWith = () => gate.promise));
    const both = Promise.all([producer.connect(), producer.connect()]);
    gate.resolve();
    await both;
    expect(all).toHaveLength(1);
  });
});

describe('readiness', () => {
  it('stays ready while a session is spent, renewed, or its renewal refused (a gateway without a spool would stay unready after an outage), and not after disconnect', async () => {
    const gate = held<void>();
    const { producer, all } = sessions((s) => {
      if (s.id === 2) s.connectWith = async () => Promise.reject(refused());
      if (s.id === 3) s.connectWith = () => gate.promise;
    });
    expect(producer.isConnected()).toBe(false);
    await producer.connect();
    expect(producer.isConnected()).toBe(true);
    all[0]!.autoAck = false;
    const failing = producer.send([record('a')]);
    await until(() => all[0]!.waiting === 1, 'the send in flight');
    all[0]!.answer(timedOut());
    await expect(failing).rejects.toThrow('timed out');
    expect(producer.isConnected()).toBe(true);
    await expect(producer.send([record('refused')])).rejects.toThrow('ECONNREFUSED');
    expect(producer.isConnected()).toBe(true);
    const renewing = producer.send([record('b')]);
    await until(() => all.length === 3, 'the renewal');
    expect(producer.isConnected()).toBe(true);
    gate.resolve();
    await renewing;
    expect(producer.isConnected()).toBe(true);
    await producer.disconnect();
    expect(producer.isConnected()).toBe(false);
  });
});

/** A send failed on session 1; the send of 'b' waits for session 2, whose connection waits for `gate`. */
async function renewalConnecting() {
  const gate = held<void>();
  const { producer, all } = sessions((s) => {
    if (s.id === 2) s.connectWith = () => gate.promise;
  });
  await sendFailing(producer, all[0]!, 'a');
  const waiting = producer.send([record('b')]);
  await until(() => all.length === 2, 'the renewal');
  return { producer, all, gate, waiting };
}

describe('stopping', () => {
  it('a stop while a renewal connects: the send waiting for it is refused, the new producer is disconnected once its connection settles, and disconnect() waits for that', async () => {
    const { producer, all, gate, waiting } = await renewalConnecting();
    let stopped = false;
    const stop = producer.disconnect().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve();
    await stop;
    await expect(waiting).rejects.toMatchObject({ code: 'kafka.producer_closed', retriable: true });
    expect(all.map((s) => ({ sent: s.sent, connected: s.connected }))).toEqual([
      { sent: ['a'], connected: false },
      { sent: [], connected: false },
    ]);
  });

  it('disconnect() waits for a renewal at most renewalWaitMs; the renewal disconnects its producer itself when it connects later', async () => {
    const { producer, all, gate, waiting } = await renewalConnecting();
    await producer.disconnect({ renewalWaitMs: 10 });
    gate.resolve();
    await expect(waiting).rejects.toMatchObject({ code: 'kafka.producer_closed' });
    expect(all[1]!.connected).toBe(false);
    expect(all[1]!.sent).toEqual([]);
  });

  it('a stop while the spent producer disconnects makes no new producer', async () => {
    const { producer, all } = sessions();
    await sendFailing(producer, all[0]!, 'a');
    const spentDisconnect = held<void>();
    let disconnecting = false;
    all[0]!.disconnect = async () => {
      disconnecting = true;
      all[0]!.connected = false;
      await spentDisconnect.promise;
    };
    const waiting = producer.send([record('b')]);
    await until(() => disconnecting, 'the renewal to disconnect the spent producer');
    const stop = producer.disconnect();
    spentDisconnect.resolve();
    await stop;
    await expect(waiting).rejects.toMatchObject({ code: 'kafka.producer_closed' });
    expect(all).toHaveLength(1);
  });

  it('refuses sends after disconnect without sending, and a send in flight at the stop keeps its own outcome', async () => {
    const { producer, all } = sessions();
    await producer.connect();
    all[0]!.autoAck = false;
    const inFlight = producer.send([record('in-flight')]);
    await until(() => all[0]!.waiting === 1, 'the send in flight');
    const queued = producer.send([record('queued')]);
    await producer.disconnect();
    all[0]!.answer(timedOut());
    await expect(inFlight).rejects.toThrow('timed out');
    await expect(queued).rejects.toMatchObject({ code: 'kafka.producer_closed' });
    await expect(producer.send([record('after')])).rejects.toMatchObject({ code: 'kafka.producer_closed' });
    await expect(producer.connect()).rejects.toMatchObject({ code: 'kafka.producer_closed' });
    expect(all).toHaveLength(1);
    expect(all[0]!.sent).toEqual(['in-flight']);
  });
});
