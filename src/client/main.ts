// The dagent command line: parses arguments and hands each command to its module.
import { Command, Option } from 'commander';
import { EncryptionKeyError } from '../codec/encryptionKeyError';
import { PlanFileError } from '../plan/planFileError';
import { dagentSettings, SettingsError } from '../settings/dagentSettings';
import { StoreConfigError } from '../store/storeConfigError';
import { TemporalCliMissingError } from '../temporal/temporalCli';
import { TemporalConfigError, TemporalUnreachableError } from '../temporal/temporalErrors';
import { WorkerRoleError } from '../workers/workerRoleError';
import { CliError, EXIT } from './exitCodes';
import { addConnectionFlags, addServerFlags, DEV_DEFAULTS, parseNonNegativeNumber, parsePositiveInt, parsePositiveNumber, parseReconnectTimeout } from './flags';
import { parseQueueFlag, parseQueueName } from './parseQueueFlag';

// Each command's module is imported when that command runs, so `dagent --help` or `validate`
// never loads the Temporal worker or the SDKs a run needs.
const control = () => import('./controlCommands');

const program = new Command('dagent')
  .description('Durable DAG-of-agents engine on Temporal: one request in, parallel agent tasks, one merged report out.')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : EXIT.usage));

addConnectionFlags(
  program
    .command('run')
    .description('run a goal (planned by Claude) or a plan file: tasks in parallel on Temporal, then one merged report')
    .argument('[goal]', 'what to do, in plain words (with --file: the goal written on the report)')
    .option('-f, --file <file>', 'plan file (JSON or YAML; clinvk tasks and chain files too), or - for standard input')
    .option('--max-parallel <n>', 'tasks running at once (default 4)', parsePositiveInt('--max-parallel'))
    .option('--max-tasks <n>', 'the most tasks the run may grow to with its maps\' items (default 1,000; at most 10,000); for a goal also the planner\'s cap (default 12)', parsePositiveInt('--max-tasks'))
    .addOption(new Option('--start-order <order>', 'when ready tasks outnumber free slots, which start first: the longest chain still ahead (critical-path, default) or plan order').choices(['critical-path', 'plan']))
    .option('--fail-fast', 'on the first failed task, cancel what runs and skip the rest')
    .option('--hold-on-failure [duration]', 'when a task fails for good, hold the run (Held) for retry, skip, patch or release instead of writing the report; for the duration given (default: the approval timeout), then release')
    .option('--reuse', 'take a task\'s output from any earlier run with the same spec, model and inputs instead of running it (never for tasks with cache: false)')
    .option('--provider-retry-for <duration>', 'how long LLM calls ride out provider trouble (429, 529, 5xx, unreachable) without using up retries (default 30m)')
    .option('--model <model>', 'model for tasks that name none (default: $DAGENT_MODEL, else the worker\'s default)')
    .option('--allow-shell', 'let a plan made by the LLM contain shell tasks')
    .option('--allow-writes', 'let a plan made by the LLM contain CLI tasks that may write files')
    .option('--no-aggregate', 'skip the aggregate step (no merged report)')
    .option('--dry-run', 'validate the plan file and print its layers and critical path; start nothing')
    .option('--json', 'print the RunResult as JSON on stdout and nothing else')
    .option('-q, --quiet', 'print only the summary line')
    .option('--report <file>', 'write the report to this file instead of printing it')
    .option('--budget-tokens <n>', 'stop starting tasks once the run used this many tokens', parsePositiveInt('--budget-tokens'))
    .option('--budget-usd <amount>', 'stop starting tasks once the estimated cost reaches this many US dollars', parsePositiveNumber('--budget-usd'))
    .option('--no-cache', 'plan the goal anew instead of reusing the cached plan for the same goal, options and model')
    .option('--approve-plan', 'after planning, wait for a person to approve, reject or edit the plan')
    .option('--approval-timeout <duration>', 'how long an approval may wait, e.g. 30m (default 24h)')
    .addOption(new Option('--approval-timeout-action <action>', 'what a timed-out approval does').choices(['reject', 'approve']))
    .option('--workdir <dir>', 'the folder the run works in: the planner sees its files and anthropic tasks work in it as agents (default for a goal: the current directory, when this process runs the worker)')
    .option('--no-worker', 'do not start a worker in this process; another worker serves the task queue')
    .option('--workflow-id <id>', 'workflow id (default: dagent-<goal>-<random>)'),
).action(async (goal: string | undefined, flags) => finish(await (await import('./runCommand')).runCommand(goal, flags)));

addConnectionFlags(
  program
    .command('rerun')
    .description('run an ended run again, reusing the outputs of its unchanged tasks (0 tokens); failed, changed and --from tasks and all downstream of them run again')
    .argument('<workflowId>', 'the earlier run')
    .option('--from <ids...>', 'run these tasks again, and everything downstream of them, even if unchanged')
    .option('--patch <file>', 'change the plan first: { add: [tasks], update: [{ id, …fields }], remove: [ids] }')
    .option('--task <id>', 'with --prompt: the task to give a new prompt')
    .option('--prompt <text>', 'with --task: its new prompt')
    .option('--json', 'print the RunResult as JSON on stdout and nothing else')
    .option('-q, --quiet', 'print only the summary line')
    .option('--report <file>', 'write the report to this file instead of printing it')
    .option('--no-worker', 'do not start a worker in this process; another worker serves the task queue')
    .option('--workflow-id <id>', 'workflow id of the new run (default: dagent-rerun-<goal>-<random>)'),
).action(async (id: string, flags) => finish(await (await import('./rerunCommand')).rerunCommand(id, flags)));

const onRun = (command: Command) => addServerFlags(command.argument('<workflowId>', 'the run'));
const controlOptions = (command: Command) =>
  onRun(command)
    .option('--reason <text>', 'why, kept in the run\'s audit list')
    .option('--request-id <id>', 'idempotency key: the same id sent again has no second effect (default: random)')
    .option('--json', 'print the run\'s new state as JSON');

onRun(program.command('status').description('the live task table of a run'))
  .option('-w, --watch', 'keep rendering until the run ends (reconnects if the server goes away)')
  .option('--reconnect-timeout <duration>', 'with --watch: how long to keep reconnecting to a lost server before giving up with exit 4, e.g. 30s or 5m (default 60s)', parseReconnectTimeout)
  .option('--json', 'print the status as JSON')
  .action(async (id: string, flags) => finish(await (await control()).statusCommand(id, flags)));
controlOptions(program.command('approve').description('approve the plan (waiting for approval), or a task with --task'))
  .option('--task <id>', 'the task to approve')
  .action(async (id: string, flags) => finish(await (await control()).approveCommand(id, flags)));
controlOptions(program.command('reject').description('reject the plan (the run ends Rejected), or a task with --task (it and its dependents are skipped)'))
  .option('--task <id>', 'the task to reject')
  .action(async (id: string, flags) => finish(await (await control()).rejectCommand(id, flags)));
controlOptions(program.command('release').description('stop holding a run held on a failure (--hold-on-failure): the report is written from what finished'))
  .action(async (id: string, flags) => finish(await (await control()).releaseCommand(id, flags)));
controlOptions(program.command('patch').description('add, change or remove tasks that have not started'))
  .requiredOption('-f, --file <file>', 'patch file: { add: [tasks], update: [{ id, …fields }], remove: [ids] }')
  .action(async (id: string, flags) => finish(await (await control()).patchCommand(id, flags)));
controlOptions(program.command('retry').description('run a failed or cancelled task again; its skipped dependents return to Pending'))
  .requiredOption('--task <id>', 'the task')
  .option('--prompt <text>', 'a new prompt for it')
  .action(async (id: string, flags) => finish(await (await control()).retryCommand(id, flags)));
controlOptions(program.command('skip').description('skip a task that has not started (and its dependents)'))
  .requiredOption('--task <id>', 'the task')
  .action(async (id: string, flags) => finish(await (await control()).skipCommand(id, flags)));
controlOptions(program.command('cancel').description('cancel a task with --task, or the whole run (its report is still written)'))
  .option('--task <id>', 'the task')
  .action(async (id: string, flags) => finish(await (await control()).cancelCommand(id, flags)));
onRun(program.command('result').description('the RunResult of a finished run: results table, summary, report'))
  .option('--json', 'the RunResult as JSON')
  .option('-q, --quiet', 'only the summary line')
  .option('--report <file>', 'write the report to a file')
  .action(async (id: string, flags) => finish(await (await control()).resultCommand(id, flags)));
onRun(program.command('graph').description('the run\'s DAG coloured by status and its timeline, in Mermaid'))
  .action(async (id: string, flags) => finish(await (await control()).graphCommand(id, flags)));
addConnectionFlags(program.command('stats').description('runs of a task queue by status, and P50/P95/P99 of run makespans and task durations per backend, from Temporal\'s visibility and the runs\' results'))
  .option('--since <duration>', 'runs started within this long, e.g. 30m, 24h, 7d', '24h')
  .option('--limit <n>', 'read at most this many runs', parsePositiveInt('--limit'), 1000)
  .option('--json', 'as JSON')
  .action(async (flags) => finish(await (await import('./statsCommand')).statsCommand(flags)));
addServerFlags(program.command('list').description('runs of the orchestrate workflow, newest first'))
  .option('--status <status>', 'running, held, completed, failed, cancelled, terminated or timedout')
  .option('--limit <n>', 'at most this many', parsePositiveInt('--limit'), 50)
  .action(async (flags) => finish(await (await control()).listCommand(flags)));

program
  .command('validate')
  .description('check a plan file: every problem with its task and field, or its layers and critical path')
  .argument('<file>', 'plan file, or - for standard input')
  .action(async (file: string) => finish(await (await import('./validateCommand')).validateCommand(file)));

addConnectionFlags(
  program
    .command('plan')
    .description('plan a goal with Claude and write the plan for review, without running it')
    .argument('<goal>', 'what to do, in plain words')
    .option('-o, --output <file>', 'write the plan here (.yaml or .json); default: standard output')
    .option('--model <model>', 'planner model')
    .option('--max-tasks <n>', 'most tasks the plan may have (default 12)', parsePositiveInt('--max-tasks'))
    .option('--workdir <dir>', 'the folder to plan for: the planner sees its files (default: the current directory, when this process runs the worker)')
    .option('--no-worker', 'do not start a worker in this process'),
).action(async (goal: string, flags) => finish(await (await import('./planCommand')).planCommand(goal, flags)));

addConnectionFlags(
  program
    .command('worker')
    .description('run a standalone worker: the orchestrate workflow and its activities, or with --queue the activities of skill queues only')
    .option('--max-concurrent-activities <n>', 'activities this worker runs at once, per task queue it serves (default 16)', parsePositiveInt('--max-concurrent-activities'))
    .option('--queue <names>', 'serve only these skill queues (task queue <task-queue>-<name>), e.g. gpu,claude=8 (NAME=N: at most N at once from that queue); repeatable', parseQueueFlag)
    .option('--serve-runs', 'with --queue: serve the run queue too (the workflows and the default activities), so one worker does everything')
    .option('--no-activities', 'serve the workflows only, no default activities (with --queue: the workflows and those queues)')
    .option('--deployment <name>', 'Worker Versioning: the worker deployment this worker belongs to; the runs it starts stay pinned to its build')
    .option('--build-id <id>', 'with --deployment: this worker\'s build id (default: a hash of its workflow bundle)')
    .option('--metrics-port <port>', 'serve Prometheus metrics (/metrics: the SDK\'s and dagent\'s) and /healthz on this port, all interfaces (default: $DAGENT_METRICS_BIND, else none)', parsePositiveInt('--metrics-port')),
).action(async (flags) => finish(await (await import('./workerCommand')).workerCommand(flags)));

const deploy = program.command('deploy').description('Worker Versioning: roll out a new build of the workers without breaking runs under way');
addServerFlags(deploy.command('promote').description('make a build the current version of a worker deployment: new runs start on it; runs under way finish on theirs'))
  .argument('<buildId>', 'the build id a worker reported (dagent worker --deployment … prints it)')
  .option('--deployment <name>', 'the worker deployment', 'dagent')
  .action(async (buildId: string, flags) => finish(await (await import('./deployCommand')).promoteCommand(buildId, flags)));

const queue = program.command('queue').description('skill queues: their workers, backlog and shared rate limit');
addConnectionFlags(queue.command('show').description('workers, backlog and rate limit of the run queue and skill queues (default: those the config file names)'))
  .argument('[queues...]', 'skill queue names, e.g. gpu claude')
  .option('--json', 'as JSON')
  .action(async (queues: string[], flags) => finish(await (await import('./queueCommand')).queueShowCommand(queues, flags)));
addConnectionFlags(queue.command('limit').description('set the rate limit that all workers of a skill queue share, on the server'))
  .argument('<queue>', 'skill queue name, e.g. gpu', (value: string) => parseQueueName(value))
  .option('--rps <n>', 'activities started per second across all its workers (0 pauses the queue)', parseNonNegativeNumber('--rps'))
  .option('--clear', 'remove the limit')
  .option('--reason <text>', 'why, kept by the server')
  .action(async (name: string, flags) => finish(await (await import('./queueCommand')).queueLimitCommand(name, flags)));

program
  .command('codec-server')
  .description('serve /encode and /decode for the Web UI with the key in DAGENT_ENCRYPTION_KEY')
  .addOption(new Option('--port <port>', 'port').default(8888).argParser(parsePositiveInt('--port')))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--cors-origin <origin...>', 'origins allowed to call it (the Web UI)', ['http://localhost:8233', 'http://127.0.0.1:8233'])
  .action(async (flags) => finish(await (await import('./codecServerCommand')).codecServerCommand(flags)));

program
  .command('dev')
  .description('run the Temporal dev server in the foreground, with a persistent database')
  .addOption(new Option('--port <port>', 'frontend port').default(DEV_DEFAULTS.port).argParser(parsePositiveInt('--port')))
  .addOption(new Option('--ui-port <port>', 'Web UI port').default(DEV_DEFAULTS.uiPort).argParser(parsePositiveInt('--ui-port')))
  .option('--db-file <path>', 'database file', DEV_DEFAULTS.dbFile)
  .option('--headless', 'no Web UI')
  .action(async (flags) => finish(await (await import('./devCommand')).devCommand(flags)));

program
  .command('gc')
  .description('remove old runs from the result store (DAGENT_STORE): a run goes whole once its newest output is older than --older-than')
  .requiredOption('--older-than <age>', 'age like 30d, 12h or 90m')
  .option('--dry-run', 'list what would be removed, remove nothing')
  .action(async (flags) => finish(await (await import('./gcCommand')).gcCommand(flags)));

function finish(code: number): void {
  process.exitCode = code;
}

try {
  // Every DAGENT_* variable is checked before any command starts; a bad one is named.
  dagentSettings();
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`dagent: ${(err as Error).message}\n`);
  process.exitCode =
    err instanceof CliError
      ? err.exitCode
      : err instanceof PlanFileError || err instanceof SettingsError || err instanceof WorkerRoleError || err instanceof EncryptionKeyError || err instanceof TemporalConfigError || err instanceof StoreConfigError
        ? EXIT.usage
      : err instanceof TemporalUnreachableError || err instanceof TemporalCliMissingError
        ? EXIT.temporalUnreachable
        : EXIT.runFailed;
}
