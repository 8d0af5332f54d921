// `npm run generate`: src/gen/ from the service's OpenAPI document. The document is a
// file (OPENAPI_FILE, default ../openapi.json, which clients/generate.py dumps from the
// app in-process) so that generation never needs a running service.
import { defineConfig } from "@hey-api/openapi-ts";

export default defineConfig({
  input: process.env.OPENAPI_FILE ?? "../openapi.json",
  output: { path: process.env.OPENAPI_OUT ?? "src/gen", importFileExtension: ".js" },
  // Types only: the hand-written layer (src/*.ts) does the requests, so that pages,
  // problems and retries behave the same for every call, generated or not.
  plugins: ["@hey-api/typescript"],
});
