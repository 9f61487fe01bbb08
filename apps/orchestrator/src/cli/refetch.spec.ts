import { UsageError } from '@hookbus/config';
import { runRefetchCli } from './refetch';

describe('credas:refetch command line', () => {
  // An environment that would fail if read: every refusal comes before any setting or connection.
  const env = { KAFKA_BROKERS: 'not a broker list' };

  it.each([
    ['no processId', [], /^credas:refetch: name the Credas processId$/],
    ['an option (it has none)', ['9afe8b16', '--force'], /Unknown option '--force'/],
    ['too many arguments', ['a', 'b', 'c'], /^credas:refetch: at most a processId and an entityId, got 3 arguments$/],
    ['a processId that is not a Credas id', ['../x'], /^credas:refetch: not a Credas processId/],
    ['an entityId that is not a Credas id', ['9afe8b16', 'a b'], /^credas:refetch: not a Credas entityId/],
  ])('refuses %s with a one-line reason', async (_what, args, message) => {
    const run = runRefetchCli(args, env);
    await expect(run).rejects.toThrow(UsageError);
    await expect(runRefetchCli(args, env)).rejects.toThrow(message);
  });
});
