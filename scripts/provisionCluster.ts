// Makes sure the Temporal server and its SQL schema tool are available for the cluster suite
// (building them with Go once if needed, ~15 minutes) and prints their paths.
import { provisionTemporalServer } from '../src/cluster/temporalServerBinaries';

const binaries = await provisionTemporalServer();
console.log(binaries.server);
console.log(binaries.sqlTool);
