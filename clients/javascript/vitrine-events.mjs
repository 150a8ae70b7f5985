#!/usr/bin/env node
// Sends impressions and clicks to Vitrine from Node.js with kafkajs (from npm) on its default settings, as JSON
// events keyed by request id: the learner reads JSON from the same topics as Avro (docs/api.md, Topics).
//
//   node vitrine-events.mjs --bootstrap-servers localhost:9092 < events.jsonl
//
// reads one JSON object per line, {"type": "impression" | "click", "requestId", "candidateId", "timestamp"?}
// (timestamp: epoch millis or ISO-8601 with an offset; now when left out), and prints how many of each were
// acknowledged. Exit code 0 when every event was acknowledged, 1 when Kafka failed, 2 on a malformed line.
import { Kafka, logLevel } from 'kafkajs';
import { createInterface } from 'node:readline';

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

if (process.argv.includes('--help')) {
  console.log('usage: node vitrine-events.mjs [--bootstrap-servers HOST:PORT] [--topic-prefix vitrine.] < events.jsonl');
  process.exit(0);
}
const brokers = option('--bootstrap-servers', 'localhost:9092').split(',');
const prefix = option('--topic-prefix', 'vitrine.');
const topics = { impression: prefix + 'impressions', click: prefix + 'clicks' };

const messages = { impression: [], click: [] };
let number = 0;
for await (const line of createInterface({ input: process.stdin })) {
  number++;
  if (!line.trim()) continue;
  let event;
  try {
    event = JSON.parse(line);
    if (!(event.type in topics) || typeof event.requestId !== 'string' || typeof event.candidateId !== 'string') {
      throw new Error('needs type impression|click, requestId and candidateId');
    }
  } catch (e) {
    console.error(`vitrine-events: line ${number}: not an event (${e.message})`);
    process.exit(2);
  }
  const { type, ...value } = event;
  if (value.timestamp === undefined) value.timestamp = Date.now();
  const millis = typeof value.timestamp === 'number' ? value.timestamp : Date.parse(value.timestamp);
  messages[type].push({ key: value.requestId, value: JSON.stringify(value), timestamp: String(millis) });
}

const kafka = new Kafka({ clientId: 'vitrine-events-example', brokers, logLevel: logLevel.WARN });
const producer = kafka.producer();
try {
  await producer.connect();
  for (const type of Object.keys(topics)) {
    if (messages[type].length) {
      await producer.send({ topic: topics[type], messages: messages[type] });
    }
  }
  console.log(`sent ${messages.impression.length} impressions and ${messages.click.length} clicks`);
} catch (e) {
  console.error(`vitrine-events: ${e.message}`);
  process.exitCode = 1;
} finally {
  await producer.disconnect();
}
