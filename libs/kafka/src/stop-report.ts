/**
 * What a process's graceful stop left undone: batches abandoned uncommitted (the retry wait cut short by the stop),
 * clients that could not leave their group or flush. A stop that abandoned work is not a clean stop: runService
 * (libs/platform/src/service-process.ts) exits 1 when anything was reported here, so a supervisor, a deploy or CI
 * sees it. The records are not lost: the next owner of the partitions reads them again (every stage handles that).
 *
 * One list per process, like the exit code it decides. Entries name a stage and a count or an error class: never
 * a record, an address, a secret.
 */
const incomplete: string[] = [];

export function reportIncompleteStop(what: string): void {
  incomplete.push(what);
}

export function incompleteStops(): readonly string[] {
  return incomplete;
}
