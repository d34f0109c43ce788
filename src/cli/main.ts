import { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every command, with its description (the one home of it: `lenslab --help` and `lenslab NAME
 * --help` both show it). A command's module (and everything it imports: database drivers,
 * Fastify, the recommenders) is loaded only when that command runs; it adds the options.
 */
const COMMANDS: { name: string; description: string; load: () => Promise<Register> }[] = [
  {
    name: 'serve',
    description:
      'run the web site (migrates the database, seeds a demo catalog when it is empty, builds the web app when needed)',
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  {
    name: 'migrate',
    description: 'bring the database schema up to date (also done on every start)',
    load: async () => (await import('./commands/migrate.ts')).registerMigrate,
  },
  {
    name: 'import',
    description: 'load a MovieLens or Netflix Prize dataset into the database, all or nothing',
    load: async () => (await import('./commands/import.ts')).registerImport,
  },
  {
    name: 'export',
    description:
      'write the database as ML-1M or ML-latest files (a plain copy for the data owner; releases use `lenslab release`)',
    load: async () => (await import('./commands/export.ts')).registerExport,
  },
  {
    name: 'generate',
    description:
      'write a synthetic MovieLens-like dataset in the ML-1M format (same seed, same bytes)',
    load: async () => (await import('./commands/generate.ts')).registerGenerate,
  },
  {
    name: 'release',
    description:
      'publish a privacy-audited research dataset (refused when the audit exceeds the policy thresholds)',
    load: async () => (await import('./commands/release.ts')).registerRelease,
  },
  {
    name: 'audit',
    description:
      'audit a release against the original data: scoreboard re-identification attack and quasi-identifier risk',
    load: async () => (await import('./commands/audit.ts')).registerAudit,
  },
  {
    name: 'evaluate',
    description: 'measure recommender algorithms on a dataset with a BENCHMARKS.md protocol',
    load: async () => (await import('./commands/evaluate.ts')).registerEvaluate,
  },
  {
    name: 'train',
    description: 'train a recommender on the database and publish the model file the server loads',
    load: async () => (await import('./commands/train.ts')).registerTrain,
  },
  {
    name: 'events',
    description: 'the research event log: export it (pseudonymous ids only), purge old page rows',
    load: async () => (await import('./commands/events.ts')).registerEvents,
  },
  {
    name: 'users',
    description: 'member roles (researcher, admin) and the access-audit log',
    load: async () => (await import('./commands/users.ts')).registerUsers,
  },
];

const program = new Command('lenslab')
  .description(
    'lenslab: an open, privacy-first MovieLens (web site, recommender toolkit, privacy-audited releases)',
  )
  .option(
    '--db <target>',
    'database: a SQLite file path or a postgres:// URL (default: $DATABASE_URL or ./data/lenslab.db)',
  )
  .showHelpAfterError();

// The command named on the command line (`lenslab [--db x] <name>`, or `lenslab help <name>`) is
// registered for real; the others only as stubs, for the list in `lenslab --help`.
const [first, second] = program.parseOptions(process.argv.slice(2)).operands;
const named = first === 'help' ? second : first;
for (const command of COMMANDS) {
  if (command.name === named) {
    (await command.load())(program);
    program.commands.at(-1)!.description(command.description);
  } else program.command(command.name).description(command.description);
}

await program.parseAsync(process.argv);
