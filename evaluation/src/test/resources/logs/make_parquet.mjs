// Writes arrow.parquet from pandas-records.jsonl with Apache Arrow JS and parquet-wasm (the Rust Arrow
// project's Parquet writer). From a folder holding the packages (npm install apache-arrow@21 parquet-wasm@0.7),
// run it in this folder: node /that/folder/make_parquet.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import * as parquet from "parquet-wasm";

const rows = readFileSync("pandas-records.jsonl", "utf8").trim().split("\n").map((line) => JSON.parse(line));
const table = tableFromArrays({
  timestamp: rows.map((r) => r.timestamp),
  item_id: Int32Array.from(rows.map((r) => r.item_id)),
  position: Int32Array.from(rows.map((r) => r.position)),
  click: Int32Array.from(rows.map((r) => r.click)),
  propensity_score: Float64Array.from(rows.map((r) => r.propensity_score)),
  user_feature_0: rows.map((r) => r.user_feature_0),
  user_feature_1: rows.map((r) => r.user_feature_1), // with a null, where pandas wrote NaN
  user_feature_2: Float64Array.from(rows.map((r) => r.user_feature_2)),
  segment: rows.map((r) => r.segment),
});
const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build();
writeFileSync("arrow.parquet", parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, "stream")),
  properties));
console.log(`arrow.parquet: ${rows.length} rows`);
