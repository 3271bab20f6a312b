// Where dagent looks for Temporal when nothing is configured, and where its own dev server keeps data.
import { join } from 'node:path';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_UI_PORT = 8233;
export const DEFAULT_DB_FILE = join('.dagent', 'temporal.db');
