// The dagent command line: parses arguments and hands each command to its module.
import { Command, Option } from 'commander';
import { TemporalCliMissingError } from '../temporal/temporalCli';
import { TemporalUnreachableError } from '../temporal/connect';
import { devCommand, DEV_DEFAULTS } from './devCommand';
import { CliError, EXIT } from './exitCodes';
import { runCommand } from './runCommand';
import { addConnectionFlags, parsePositiveInt } from './shared';
import { workerCommand } from './workerCommand';

const program = new Command('dagent')
  .description('Durable DAG-of-agents engine on Temporal: one request in, parallel agent tasks, one merged report out.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT.usage));

addConnectionFlags(
  program
    .command('run')
    .description('plan a goal into tasks, run them in parallel on Temporal, print the merged report')
    .argument('<goal>', 'what to do, in plain words')
    .option('--max-parallel <n>', 'tasks running at once (default 4)', parsePositiveInt('--max-parallel'))
    .option('--fail-fast', 'on the first failed task, cancel what runs and skip the rest')
    .option('--model <model>', 'Claude model (default: $DAGENT_MODEL, else the worker\'s default)')
    .option('--json', 'print the RunResult as JSON on stdout and nothing else')
    .option('--no-worker', 'do not start a worker in this process; another worker serves the task queue')
    .option('--workflow-id <id>', 'workflow id (default: dagent-<goal>-<random>)'),
).action(async (goal: string, flags) => finish(await runCommand(goal, flags)));

addConnectionFlags(
  program
    .command('worker')
    .description('run a standalone worker (orchestrate workflow and its activities)')
    .option('--max-concurrent-activities <n>', 'activities this worker runs at once (default 16)', parsePositiveInt('--max-concurrent-activities')),
).action(async (flags) => finish(await workerCommand(flags)));

program
  .command('dev')
  .description('run the Temporal dev server in the foreground, with a persistent database')
  .addOption(new Option('--port <port>', 'frontend port').default(DEV_DEFAULTS.port).argParser(parsePositiveInt('--port')))
  .addOption(new Option('--ui-port <port>', 'Web UI port').default(DEV_DEFAULTS.uiPort).argParser(parsePositiveInt('--ui-port')))
  .option('--db-file <path>', 'database file', DEV_DEFAULTS.dbFile)
  .option('--headless', 'no Web UI')
  .action(async (flags) => finish(await devCommand(flags)));

function finish(code: number): void {
  process.exitCode = code;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`dagent: ${(err as Error).message}\n`);
  process.exitCode =
    err instanceof CliError
      ? err.exitCode
      : err instanceof TemporalUnreachableError || err instanceof TemporalCliMissingError
        ? EXIT.temporalUnreachable
        : EXIT.runFailed;
}
