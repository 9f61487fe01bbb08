import {
  CREDAS_CHECK_STATUSES,
  credasCheckStatus,
  credasCheckType,
  credasUpdateTypeName,
} from './credas-check-status.table';
import { credasProcessStatus } from './credas-process-status.table';

describe('Credas active-check status table', () => {
  it.each([
    [1, 'pass', true],
    [2, 'requested', false],
    [3, 'action_required', false],
    [4, 'fail', true],
    [5, 'not_performed', true],
    [6, 'refer', false],
    [7, 'under_review', false],
    [8, 'complete', true],
    [9, 'awaiting_data', false],
  ] as const)('code %i → %s (final %s)', (code, status, final) => {
    expect(credasCheckStatus(code)).toMatchObject({ status, final, code });
    expect(credasCheckStatus(String(code))).toMatchObject({ status, final, code });
  });

  it.each(CREDAS_CHECK_STATUSES)('$status maps back to exactly code $code', ({ code, status }) => {
    expect(CREDAS_CHECK_STATUSES.filter((r) => r.status === status).map((r) => r.code)).toEqual([code]);
  });

  it.each([
    [0, 0],
    [10, 10],
    ['Pass', 'Pass'],
    [null, null],
    [{ nested: 1 }, null],
  ])('%p is unknown, not final, with the code kept', (input, kept) => {
    expect(credasCheckStatus(input)).toEqual({ status: 'unknown', final: false, code: kept, text: null });
  });

  it.each([
    [11, 'right_to_work'],
    ['12', 'right_to_rent'],
    [13, null],
    ['x', null],
  ])('check type %p → %p', (code, name) => {
    expect(credasCheckType(code)).toBe(name);
  });

  it.each([
    [1, 'name_check'],
    [2, 'share_code'],
    [3, 'liveness'],
    [4, 'id_document'],
    [5, 'non_biometric_document'],
    [6, 'datacheck'],
    [7, 'right_to_rent'],
    [8, 'right_to_work'],
    [9, 'safe_harbour'],
    [10, null],
    [null, null],
  ])('update type %p → %p', (code, name) => {
    expect(credasUpdateTypeName(code)).toBe(name);
  });
});

describe('Credas process status table', () => {
  it.each([
    [2, 'completed', true],
    [1, 'unknown', false],
    [3, 'unknown', false],
  ] as const)('Status %i → %s (final %s)', (code, status, final) => {
    expect(credasProcessStatus(code)).toEqual({ status, final });
  });
});
