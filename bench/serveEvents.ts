// serve-mix with the research event log off and on (issue #5: logging may cost ≤ 10% throughput).
//
// Same protocol and harness as bench/serve.ts (bench/serveMix.ts). Two servers run side by side
// on two copies of the prepared database, one with LENSLAB_EVENTS=off and one with the event log
// on (the hooks wired into the server), each warmed up once; then the load alternates between
// them, off/on/off/on… (ABAB), so slow drifts of a shared machine's load hit both modes alike.
// Reported: each run, the median of each mode, and the median of the per-pair losses (each "on"
// run against the "off" run just before it).
//
// Environment: RUNS (default 5 per mode), DURATION seconds (10), CONNECTIONS (50), MEMBERS (200),
// ALGORITHM (blend), RANKING_ALGORITHM (top-picks), PREPARED=<dir> (prepare once, reuse), KEEP=1 keeps the temporary folder.
import { copyFileSync, rmSync } from 'node:fs';
import {
  CONNECTIONS,
  RUN_COLUMNS,
  cleanUp,
  loadRun,
  machineLine,
  median,
  prepareServeMix,
  runCells,
  startServer,
  stopServer,
  summarize,
  summaryCells,
  type RunResult,
  type ServerProcess,
} from './serveMix.ts';
import { openDatabase } from '../src/db/connection.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const DURATION = Number(process.env.DURATION ?? 10);
const MODES = ['off', 'on'] as const;
type Mode = (typeof MODES)[number];

console.log(machineLine());
console.log(
  `serve-mix, event log off vs on: ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs per mode, alternating`,
);
const data = await prepareServeMix();
const dbPaths: Record<Mode, string> = {
  off: data.dbPath.replace(/\.db$/, '-events-off.db'),
  on: data.dbPath.replace(/\.db$/, '-events-on.db'),
};
const servers: Partial<Record<Mode, ServerProcess>> = {};
const results: Record<Mode, RunResult[]> = { off: [], on: [] };
try {
  for (const mode of MODES) {
    for (const suffix of ['-wal', '-shm']) rmSync(dbPaths[mode] + suffix, { force: true });
    copyFileSync(data.dbPath, dbPaths[mode]);
    servers[mode] = await startServer(dbPaths[mode], data.modelsDir, { events: mode === 'on' });
  }
  for (const mode of MODES) await loadRun(servers[mode]!, data, 5); // warm-up, not counted
  console.log(`| run | events | ${RUN_COLUMNS} |`);
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (let run = 1; run <= RUNS; run++) {
    for (const mode of MODES) {
      const r = await loadRun(servers[mode]!, data, DURATION);
      results[mode].push(r);
      console.log(`| ${run} | ${mode} | ${runCells(r)} |`);
    }
  }
  const off = summarize(results.off);
  const on = summarize(results.on);
  for (const [mode, m] of [
    ['off', off],
    ['on', on],
  ] as const) {
    console.log(`| median | ${mode} | ${summaryCells(m)} |`);
  }
  const pairLosses = results.on.map(
    (r, i) => 1 - r.requestsPerSecond / results.off[i].requestsPerSecond,
  );
  const loss = median(pairLosses);
  const cpuCost = on.cpuMsPerRequest / off.cpuMsPerRequest - 1;
  console.log(
    `server CPU per request: off ${off.cpuMsPerRequest.toFixed(3)} ms, on ${on.cpuMsPerRequest.toFixed(3)} ms (+${(100 * cpuCost).toFixed(1)}%)`,
  );
  console.log(
    `throughput lost with logging on: ${(100 * (1 - on.requestsPerSecond / off.requestsPerSecond)).toFixed(1)}% (medians); per pair ${pairLosses.map((l) => `${(100 * l).toFixed(1)}%`).join(', ')}, median ${(100 * loss).toFixed(1)}% (target ≤ 10%): ${loss <= 0.1 ? 'met' : 'NOT met'}`,
  );
  for (const mode of MODES) await stopServer(servers[mode]!);
  const events = await openDatabase(dbPaths.on);
  const stored = await events.kysely
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await events.close();
  console.log(`events stored by the "on" server: ${Number(stored.n)}`);
  console.log(
    JSON.stringify({
      protocol: 'serve-mix/events',
      algorithm: data.algorithm,
      connections: CONNECTIONS,
      duration: DURATION,
      results,
      off,
      on,
      pairLosses,
      loss,
      cpuCost,
    }),
  );
} finally {
  for (const mode of MODES) if (servers[mode]) await stopServer(servers[mode]);
  for (const mode of MODES) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbPaths[mode] + suffix, { force: true });
  }
  cleanUp(data);
}
