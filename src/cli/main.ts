import { Command } from 'commander';
import { registerAudit } from './commands/audit.ts';
import { registerEvaluate } from './commands/evaluate.ts';
import { registerEvents } from './commands/events.ts';
import { registerExport } from './commands/export.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerImport } from './commands/import.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerRelease } from './commands/release.ts';
import { registerServe } from './commands/serve.ts';
import { registerTrain } from './commands/train.ts';
import { registerUsers } from './commands/users.ts';

const program = new Command('lenslab')
  .description(
    'lenslab: an open, privacy-first MovieLens (web site, recommender toolkit, privacy-audited releases)',
  )
  .option(
    '--db <target>',
    'database: a SQLite file path or a postgres:// URL (default: $DATABASE_URL or ./data/lenslab.db)',
  )
  .showHelpAfterError();

registerServe(program);
registerMigrate(program);
registerImport(program);
registerExport(program);
registerGenerate(program);
registerRelease(program);
registerAudit(program);
registerEvaluate(program);
registerTrain(program);
registerEvents(program);
registerUsers(program);

await program.parseAsync(process.argv);
