/**
 * bench/audit/inProcess: only the incremental audit over the bench HAR, fed one exchange at a
 * time, for a CPU profile of the audit alone (the import into the store runs once, before).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof -r tsx/cjs bench/audit/inProcess.ts [--exchanges 50000]
 */
import { IncrementalAudit } from '../../src/core/audit/incrementalAudit';
import { importHar } from '../../src/core/capture/harImport';
import { SessionStore } from '../../src/core/session/sessionStore';
import type { TokenRecord } from '../../src/core/session/types';
import { benchHar } from './har';

const i = process.argv.indexOf('--exchanges');
const count = i === -1 ? 50_000 : Number(process.argv[i + 1]);
const store = new SessionStore({ capacity: 1_000_000, throttleMs: 0 });
importHar(store, benchHar(count));
const snap = store.snapshot();
const tokens = new Map(snap.tokens.map((t) => [t.id, t]));
const now = Date.UTC(2026, 10, 22, 20, 0, 0);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
for (let round = 0; round < 3; round++) {
  const audit = new IncrementalAudit({}, { now, checkWeakSecret: false });
  const t0 = cpu();
  for (const ex of snap.exchanges) {
    audit.add(ex, tokens);
    const own = ex.tokenIds.map((id) => tokens.get(id)).filter((t): t is TokenRecord => t !== undefined);
    if (own.length > 0) audit.updateTokens(own, tokens);
  }
  const ms = cpu() - t0;
  console.log(`round ${round}: ${((ms * 1000) / snap.exchanges.length).toFixed(1)} µs per exchange CPU, ${audit.findings().length} findings`);
}
