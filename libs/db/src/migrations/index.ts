import { ReadModel1732265000000 } from './1732265000000-read-model';
import { TransitionNotices1795346000000 } from './1795346000000-transition-notices';
import { ConsoleSearch1795420000000 } from './1795420000000-console-search';
import { ConsoleAudit1796105000000 } from './1796105000000-console-audit';

/** Every migration, in order. Listed as classes (not a glob) so they load the same from the tests (@swc/jest) and from dist. */
export const MIGRATIONS = [ReadModel1732265000000, TransitionNotices1795346000000, ConsoleSearch1795420000000, ConsoleAudit1796105000000];
