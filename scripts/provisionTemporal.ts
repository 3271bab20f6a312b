// Makes sure the temporal CLI is available (building it with Go once if needed) and prints its path.
import { provisionTemporalCli } from '../src/temporal/temporalCli';

console.log(await provisionTemporalCli());
