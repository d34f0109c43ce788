// npm run bench:workers — serve-mix (bench/serveMix.ts) against 1 and against 2 server processes
// (`lenslab serve --workers 2`: node:cluster workers on one port, kept current through the change
// log), alternating in one session so both meet the same machine load. Each run starts a fresh
// server, warms it up for 5 s, then measures for DURATION seconds.
//
// Environment: RUNS (default 3), DURATION seconds (20), COUNTS (default "1,2"), and those of
// serveMix.ts (CONNECTIONS, MEMBERS, PREPARED, …).
import {
  loadRun,
  machineLine,
  prepareServeMix,
  RUN_COLUMNS,
  runCells,
  startServer,
  stopServer,
  summarize,
  summaryCells,
  cleanUp,
  CONNECTIONS,
  type RunResult,
} from './serveMix.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = Number(process.env.DURATION ?? 20);
const COUNTS = (process.env.COUNTS ?? '1,2').split(',').map(Number);

console.log(machineLine());
console.log(
  `serve-mix by server processes: ${CONNECTIONS} connections, ${DURATION} s per run, ${RUNS} runs each`,
);
const data = await prepareServeMix();
const results = new Map<number, RunResult[]>(COUNTS.map((count) => [count, []]));
console.log(`| workers | run | ${RUN_COLUMNS} |`);
console.log('|---|---|---|---|---|---|---|---|---|---|');
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const count of COUNTS) {
      process.env.WORKERS = String(count);
      const server = await startServer(data.dbPath, data.modelsDir, { events: true });
      try {
        await loadRun(server, data, 5);
        const result = await loadRun(server, data, DURATION);
        results.get(count)!.push(result);
        console.log(`| ${count} | ${run} | ${runCells(result)} |`);
      } finally {
        await stopServer(server);
      }
    }
  }
  const medians = COUNTS.map((count) => ({ count, median: summarize(results.get(count)!) }));
  for (const { count, median } of medians)
    console.log(`| ${count} | median | ${summaryCells(median)} |`);
  const [one, two] = medians;
  if (one && two)
    console.log(
      `${two.count} workers / ${one.count}: ${(two.median.requestsPerSecond / one.median.requestsPerSecond).toFixed(2)}× requests/s`,
    );
  console.log(JSON.stringify({ protocol: 'serve-mix-workers', duration: DURATION, medians }));
} finally {
  cleanUp(data);
}
