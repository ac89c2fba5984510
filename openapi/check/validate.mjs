// Validates an OpenAPI document against the OpenAPI 3 schema with @apidevtools/swagger-parser (every $ref resolved),
// independently of the linters and of NSwag. Exits 1 with every finding when the document is invalid.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2] ?? "openapi/blocklist-api.yaml";
try {
  const api = await SwaggerParser.validate(file);
  const operations = Object.values(api.paths).flatMap((item) => Object.keys(item).filter((k) => k !== "parameters"));
  console.log(`swagger-parser: ${file} is a valid OpenAPI ${api.openapi} document (${operations.length} operations).`);
} catch (error) {
  console.error(`swagger-parser: ${file} is not valid.`);
  console.error(error.message);
  process.exit(1);
}
