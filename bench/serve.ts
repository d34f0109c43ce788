// npm run bench:serve — the serve-mix protocol (BENCHMARKS.md), harness in bench/serveMix.ts.
//
// The server runs in its own process on the synthetic-1m database (6,040 users, 3,900 movies,
// 1,000,209 ratings, imported into a temporary SQLite file) with the site's default models
// trained and published: the rating model (stars) and the ranking model (lists);
// this process is the load generator (autocannon, loopback): 50 concurrent connections of
// logged-in members for 30 s, 70% GET /api/recommendations?n=20, 20% GET /api/movies/:id (movie
// page data with prediction), 10% PUT /api/ratings/:id. Reports requests/s, p50/p99 latency,
// errors and the server's RSS, for several runs and their median.
//
// Environment: RUNS (default 3), DURATION seconds (30), CONNECTIONS (50), MEMBERS (200),
// ALGORITHM (the rating model; default blend), RANKING_ALGORITHM (default top-picks), EVENTS=off (the research event log off;
// on by default, as the site runs), PREPARED=<dir> (prepare once, reuse), KEEP=1 keeps the
// temporary folder, PROFILE=<dir> writes the server's CPU profile there.
import {
  CONNECTIONS,
  MEMBERS,
  RUN_COLUMNS,
  cleanUp,
  loadRun,
  machineLine,
  prepareServeMix,
  referenceRun,
  rssMB,
  runCells,
  seconds,
  serverLine,
  startServer,
  stopServer,
  summarize,
  summaryCells,
} from './serveMix.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 30);
const EVENTS = process.env.EVENTS !== 'off';

console.log(machineLine());
console.log(
  `serve-mix: ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs, ${MEMBERS} logged-in members, event log ${EVENTS ? 'on' : 'off'}`,
);
const data = await prepareServeMix();
const started = performance.now();
const server = await startServer(data.dbPath, data.modelsDir, { events: EVENTS });
console.log(
  `server started (loading the catalog and the model) in ${seconds(started)}, RSS ${rssMB(server.child.pid!).toFixed(0)} MB`,
);
try {
  // Warm-up (not counted): JIT, every member's fold-in.
  await loadRun(server, data, 5);
  const runs = [];
  console.log(`| run | ${RUN_COLUMNS} |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (let run = 1; run <= RUNS; run++) {
    const r = await loadRun(server, data, DURATION);
    runs.push(r);
    console.log(`| ${run} | ${runCells(r)} |`);
    console.log(serverLine(r.server));
  }
  const m = summarize(runs);
  console.log(`| median | ${summaryCells(m)} |`);
  console.log(`reference (GET /api/genres, 10 s, same server): ${await referenceRun(server, 10)}`);
  const floor =
    m.requestsPerSecond >= 1500 && m.p99 <= 50 && m.errors + m.timeouts === 0 && m.rssMB <= 500;
  console.log(
    `floor (≥ 1,500 req/s, p99 ≤ 50 ms, no errors, RSS ≤ 500 MB): ${floor ? 'met' : 'NOT met'}`,
  );
  console.log(
    JSON.stringify({
      protocol: 'serve-mix',
      algorithm: data.algorithm,
      events: EVENTS,
      connections: CONNECTIONS,
      duration: DURATION,
      runs,
      median: m,
    }),
  );
} finally {
  await stopServer(server);
  cleanUp(data);
}
