import type { ProviderReply } from '../provider-adapter';

const CELLOSIGN_OK = JSON.stringify({ status: '0', errordesc: '' });

/**
 * Cellosign expects `{"status":"0","errordesc":""}` on success and `{"status":"-1","errordesc":"<why>"}` on a refusal
 * (docs/providers/cellosign.md#reply), with the HTTP status the gateway chose.
 */
export const cellosignReply: ProviderReply = {
  contentType: 'application/json; charset=utf-8',
  accepted: () => CELLOSIGN_OK,
  refused: (detail) => JSON.stringify({ status: '-1', errordesc: detail }),
};
