// Dead letters (webhooks.deadletter) → hookbus.dead_letters rows, redrive tombstones, and the salvage row of a dead letter that cannot be read. Part of record-projection.ts's projectRecord, split along its record families.
import { MAX_IDENTITY_BYTES, deadLetterRowId, decodeDeadLetterOrigin, deterministicEventId, errorCode, isRedriveMarker, readDeadLetter, truncateUtf8 } from '@hookbus/contracts';
import type { ConsumedRecord } from '@hookbus/kafka';
import type { DeadLetterRow, Projection, RedriveRow } from '../projection-rows';

/**
 * One failure of one record at one stage is one row, whatever retries re-publish it: the id hashes the stage and
 * the original coordinates, not the failure time.
 */
function deadLetterOrigin(record: ConsumedRecord): { stage: string; topic: string; partition: number; offset: string; id: string } {
  const { stage, topic, partition, offset } = decodeDeadLetterOrigin(record);
  return { stage, topic, partition, offset, id: deadLetterRowId(record) };
}

/** A redrive marker (null value) names the dead letter by the same stage and origin as its row. */
function redriveRow(record: ConsumedRecord): RedriveRow {
  const at = Date.parse(readDeadLetter(record).redrivenAt ?? '');
  return { id: deadLetterOrigin(record).id, redrivenAt: new Date(Number.isNaN(at) ? Number(record.timestamp) : at).toISOString() };
}

/** Header values kept in a dead letter row's text columns; the error text is cut by its writer already. */
const MAX_DEAD_LETTER_TEXT = 4000;

/**
 * A record of webhooks.deadletter is never dead-lettered again (that is how a loop starts): whatever it holds, it
 * becomes a row — as it came when it can, else salvaged (deadLetterSalvage). Text is bounded here; NUL is escaped
 * by the writer like all text.
 */
export function deadLetterProjection(record: ConsumedRecord): Projection {
  try {
    return isRedriveMarker(record) ? { redrives: [redriveRow(record)] } : { deadLetters: [deadLetterRow(record)] };
  } catch (error) {
    return { deadLetters: [deadLetterSalvage(record, error)] };
  }
}

function deadLetterRow(record: ConsumedRecord): DeadLetterRow {
  const facts = readDeadLetter(record);
  const { id, stage, topic, partition, offset } = deadLetterOrigin(record);
  const failedMs = Date.parse(facts.failedAt ?? '');
  const attempts = Number.parseInt(facts.attempts ?? '', 10);
  return {
    id,
    stage: truncateUtf8(stage, 200),
    topic: truncateUtf8(topic, 400),
    partition,
    offset,
    // The key is indexed: a key too long for a btree entry (SQLSTATE 54000) is stored cut, the payload keeps it whole.
    key: record.key ? truncateUtf8(record.key.toString('utf8'), MAX_IDENTITY_BYTES) : null,
    errorCode: truncateUtf8(facts.errorCode ?? '', 200) || null,
    error: truncateUtf8(facts.errorClass ?? 'unknown error', MAX_DEAD_LETTER_TEXT),
    attempts: Number.isInteger(attempts) && attempts > 0 && attempts < 2 ** 31 ? attempts : 1,
    payload: record.value,
    headers: JSON.stringify(facts.originalHeaders),
    failedAt: new Date(Number.isNaN(failedMs) ? Number(record.timestamp) : failedMs).toISOString(),
  };
}

/**
 * What can always be stored of a dead letter: where it sits on webhooks.deadletter, its payload (bytea takes any
 * bytes) and why it could not be stored as it came. Its id is its own position, so a replay lands on the same row.
 */
export function deadLetterSalvage(record: ConsumedRecord, error: unknown): DeadLetterRow {
  const timestamp = Number(record.timestamp);
  return {
    id: deterministicEventId(['dead-letter-salvaged', record.topic, String(record.partition), record.offset]),
    stage: 'unknown',
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: null,
    errorCode: 'projector.dead_letter_salvaged',
    error: `this dead letter could not be stored as it came (${errorCode(error)}); its key and headers are on ${record.topic} at this partition and offset`,
    attempts: 1,
    payload: record.value,
    headers: '{}',
    failedAt: new Date(Number.isFinite(timestamp) ? timestamp : 0).toISOString(),
  };
}
