// `dagent codec-server`: serves /encode and /decode with the key in DAGENT_ENCRYPTION_KEY, so the
// Web UI (started with --ui-codec-endpoint, or set in its settings) shows payloads in plain text.
import { encryptionCodecFromSettings } from '../codec/encryptionCodec';
import { startCodecServer } from '../codec/codecServer';
import { CliError, EXIT } from './exitCodes';
import { logLine } from './shared';

export async function codecServerCommand(flags: { port: number; host: string; corsOrigin: string[] }): Promise<number> {
  const codec = encryptionCodecFromSettings();
  if (!codec) throw new CliError('DAGENT_ENCRYPTION_KEY is not set: the codec server needs the key the workers encrypt with', EXIT.usage);
  const server = await startCodecServer(codec, { port: flags.port, host: flags.host, corsOrigins: flags.corsOrigin });
  logLine(`dagent: codec server on ${server.url} (POST /encode, /decode; CORS for ${flags.corsOrigin.join(', ')}). Point the Web UI at it: temporal server start-dev --ui-codec-endpoint ${server.url}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return EXIT.ok;
}
