import { Command } from 'commander';
import { registerExport } from './commands/export.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerImport } from './commands/import.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerServe } from './commands/serve.ts';

const program = new Command('lenslab')
  .description('lenslab: an open, privacy-first MovieLens (web site, recommender toolkit, privacy-audited releases)')
  .option('--db <target>', 'database: a SQLite file path or a postgres:// URL (default: $DATABASE_URL or ./data/lenslab.db)')
  .showHelpAfterError();

registerServe(program);
registerMigrate(program);
registerImport(program);
registerExport(program);
registerGenerate(program);

await program.parseAsync(process.argv);
