// Must NOT compile: a decision request without its required slot.
import createClient from "openapi-fetch";
import type { paths } from "../generated/selector.js";

const client = createClient<paths>({ baseUrl: "http://localhost:8080" });
await client.POST("/v1/decisions", {
  body: { context: [0], candidates: [{ id: "a", features: [0] }] },
});
