// Once per cluster-suite run: the CLI the tests start runs from dist/, so build it from the sources.
import { buildDist } from '../../scripts/buildDist';

export default async function setup() {
  await buildDist();
}
