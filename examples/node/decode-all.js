'use strict';

// Reads every topic the bridge writes from the beginning to where it ended when this started, with kafkajs and
// Confluent's Avro deserializer, and prints per topic how many records it decoded and how many it could not.
// Exit 0 when every record decoded, 1 otherwise.
//
//   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 node decode-all.js

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs');
// The bridge compresses with lz4 by default (kafka.compression); kafkajs reads lz4 only with a codec registered.
const LZ4Codec = require('@2l/kafkajs-lz4');
const { settings, fail, registry, valueDeserializer } = require('./lib/clients');

CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;

async function main() {
  const config = settings();
  const topics = Object.values(config.topics).filter((t) => t !== config.topics.commands);
  const kafka = new Kafka({ clientId: 'decode-all', brokers: config.brokers, logLevel: logLevel.NOTHING });
  const deserializer = valueDeserializer(registry(config.registryUrl));

  // Where each partition ends now: the records up to there are the ones to decode.
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map(); // "topic/partition" -> the offset after the last record to read
  const counts = new Map(topics.map((t) => [t, { decoded: 0, tombstones: 0, failed: 0, firstFailure: null }]));
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      fail(`no such topic: ${missing.join(', ')} (is the bridge running against ${config.brokers.join(',')}, `
          + 'with TOPIC_PREFIX set as its topics are named?)');
    }
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) {
          pending.set(`${topic}/${p.partition}`, BigInt(p.high));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }

  const consumer = kafka.consumer({ groupId: `decode-all-${process.pid}-${Date.now()}` });
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  if (pending.size === 0) {
    done();
  }
  await consumer.connect();
  for (const topic of topics) {
    await consumer.subscribe({ topic, fromBeginning: true });
  }
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic, partition, message }) => {
      const end = pending.get(`${topic}/${partition}`);
      if (end === undefined || BigInt(message.offset) >= end) {
        return; // written after this started
      }
      const count = counts.get(topic);
      if (message.value === null) {
        count.tombstones++; // a deleted key on a compacted topic: nothing to decode
      } else {
        try {
          await deserializer.deserialize(topic, message.value);
          count.decoded++;
        } catch (e) {
          count.failed++;
          count.firstFailure = count.firstFailure || `offset ${partition}@${message.offset}: ${e.message}`;
        }
      }
      if (BigInt(message.offset) + 1n >= end) {
        pending.delete(`${topic}/${partition}`);
        if (pending.size === 0) {
          done();
        }
      }
    },
  });

  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve(true), config.timeoutMs); });
  const late = await Promise.race([finished.then(() => false), timedOut]);
  clearTimeout(timer);
  await consumer.disconnect();

  let failures = 0;
  for (const [topic, c] of counts) {
    failures += c.failed;
    console.log(`${topic}: decoded ${c.decoded}, failed ${c.failed}, tombstones ${c.tombstones}`
        + (c.firstFailure ? ` (first failure at ${c.firstFailure})` : ''));
  }
  if (late) {
    fail(`timed out after ${config.timeoutMs / 1000} s before the end of ${[...pending.keys()].join(', ')}`);
  }
  console.log(failures === 0 ? `all ${topics.length} topics decoded, no failures` : `${failures} records failed to decode`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => fail(`decode-all: ${e.message}`));
