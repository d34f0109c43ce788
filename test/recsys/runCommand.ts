/**
 * Runs `lenslab evaluate` / `lenslab train` from their command modules alone (not through
 * src/cli/main.ts), so these tests depend only on the recsys commands:
 *   node --import tsx test/recsys/runCommand.ts evaluate --data … --json
 */
import { Command } from 'commander';
import { registerEvaluate } from '../../src/cli/commands/evaluate.ts';
import { registerTrain } from '../../src/cli/commands/train.ts';

const program = new Command('lenslab').option('--db <target>', 'database');
registerEvaluate(program);
registerTrain(program);
await program.parseAsync(process.argv);
