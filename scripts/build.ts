// `npm run build`, and `prepare` (so `npm ci` builds too): see buildDist.ts.
import { buildDist } from './buildDist';

console.log(`dagent: ${await buildDist()}`);
