// Calls a running selector through the client generated from its live OpenAPI document.
import createClient from "openapi-fetch";
import type { components, paths } from "../generated/selector.js";

type Problem = components["schemas"]["Problem"];

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

const baseUrl = process.argv[2];
check(baseUrl !== undefined, "usage: node dist/src/selector.js BASE_URL");
const client = createClient<paths>({ baseUrl });

const encoder = await client.GET("/v1/encoder");
check(encoder.data !== undefined, `GET /v1/encoder: ${encoder.response.status}`);
const zeros = (n: number): number[] => Array.from({ length: n }, (_, i) => i / n);

const requestId = `ts-${Date.now()}`;
const body: components["schemas"]["DecisionRequest"] = {
  requestId,
  slot: "typescript/hero",
  context: zeros(encoder.data.contextFeatures),
  candidates: [
    { id: "a", features: zeros(encoder.data.candidateFeatures) },
    { id: "b", features: zeros(encoder.data.candidateFeatures).reverse() },
  ],
  k: 2,
  explain: true,
};
const first = await client.POST("/v1/decisions", { body });
check(first.data !== undefined, `POST /v1/decisions: ${first.response.status} ${JSON.stringify(first.error)}`);
const seed: string = first.data.seed; // an int64 as a string: exact in JavaScript
check(BigInt(seed).toString() === seed, `seed ${seed} is an exact integer`);
check(first.data.chosen.length === 2, "two chosen");
check(first.data.explanation?.length === 2, "explained");

const retry = await client.POST("/v1/decisions", { body });
check(JSON.stringify(retry.data) === JSON.stringify(first.data), "a retry gets the same answer");

const conflict = await client.POST("/v1/decisions", { body: { ...body, k: 1 } });
check(conflict.response.status === 409, `another body under ${requestId}: ${conflict.response.status}`);
const conflictProblem: Problem | undefined = conflict.error;
check(conflictProblem?.errors?.[0]?.field === "requestId", "the 409 problem names requestId");

const invalid = await client.POST("/v1/decisions", { body: { ...body, requestId: `${requestId}-bad`, k: 0 } });
check(invalid.response.status === 400, `k = 0: ${invalid.response.status}`);
const problem: Problem | undefined = invalid.error;
check(problem?.errors?.some((e) => e.field === "k" && e.reason.length > 0) === true, "the 400 problem names k");

console.log(JSON.stringify({ seed, chosen: first.data.chosen.map((c) => c.candidateId), conflict: 409, invalid: 400 }));
