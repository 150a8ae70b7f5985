// Calls a running learner through the client generated from its live OpenAPI document.
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/learner.js";

type Problem = components["schemas"]["Problem"];
type Posterior = components["schemas"]["PosteriorSummary"];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

const baseUrl = process.argv[2];
const knownScope = process.argv[3];
check(baseUrl !== undefined, "usage: node dist/src/learner.js BASE_URL [KNOWN_SCOPE]");
const client = createClient<paths>({ baseUrl });

const unknown = await client.GET("/v1/posteriors/{scope}", { params: { path: { scope: `nobody-${Date.now()}` } } });
check(unknown.response.status === 404, `unknown scope: ${unknown.response.status}`);
const problem: Problem | undefined = unknown.error;
check(problem?.status === 404 && problem.title.length > 0, "a 404 problem document");

let posterior: Posterior | undefined;
if (knownScope !== undefined) {
  const known = await client.GET("/v1/posteriors/{scope}", { params: { path: { scope: knownScope } } });
  check(known.data !== undefined, `scope ${knownScope}: ${known.response.status} ${JSON.stringify(known.error)}`);
  posterior = known.data;
  check(posterior.mu.length === posterior.dimension, "mu has d values");
  check(posterior.noiseVariance === null || posterior.noiseVariance > 0, "noise variance positive or null");
}
console.log(JSON.stringify({ unknown: 404, scope: posterior?.scope ?? null, version: posterior?.version ?? null }));
