/**
 * npm run schema: prints the component package's schema (JSON) on stdout, obtained as the engine
 * obtains it: the component provider's GetSchema. Exit 0 printed; 1 the schema could not be derived.
 */
import { componentProvider } from "./provider";

componentProvider()
  .getSchema()
  .then((schema) => {
    process.stdout.write(`${JSON.stringify(JSON.parse(schema), null, 2)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`schema: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
