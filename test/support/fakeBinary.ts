// An executable stand-in for a tool dagent looks for (temporal, versitygw): a shell script that prints "fake".
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function fakeBinary(path: string): Promise<string> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, '#!/bin/sh\necho fake\n');
  await chmod(path, 0o755);
  return path;
}
