// Makes sure the versitygw S3 gateway is available for the S3 store's tests (building it with Go
// once if needed) and prints its path.
import { provisionVersitygw } from '../src/s3/versitygwBinary';

console.log(await provisionVersitygw());
