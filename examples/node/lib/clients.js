'use strict';

// What both examples share: where the bridge's Kafka and schema registry are, the names of its topics, and the
// Avro details of its schemas that a JavaScript client has to know.

const {
  SchemaRegistryClient,
  SerdeType,
  SubjectNameStrategyType,
  AvroSerializer,
  AvroDeserializer,
} = require('@confluentinc/schemaregistry');

/** Settings from the environment, with the defaults of `bridge demo` and a bridge run on one machine. */
function settings(env = process.env) {
  const prefix = env.TOPIC_PREFIX || '';
  return {
    brokers: (env.KAFKA_BOOTSTRAP_SERVERS || '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    registryUrl: env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:8081',
    timeoutMs: positiveInt(env.TIMEOUT_SECONDS, 30, 'TIMEOUT_SECONDS') * 1000,
    topics: topicNames(prefix),
  };
}

/**
 * Every topic the bridge writes, by role, under the bridge's default names with an optional prefix (the bridge's
 * topics.* keys, topics.subscriptions and orders.journal-topic, when they were all set to `<prefix><default>`).
 */
function topicNames(prefix) {
  const name = (t) => prefix + t;
  return {
    commands: name('ib.commands'),
    commandResults: name('ib.command-results'),
    accounts: name('ib.accounts'),
    positions: name('ib.positions'),
    orders: name('ib.orders'),
    fills: name('ib.fills'),
    quotes: name('ib.quotes'),
    status: name('ib.status'),
    commandsDlq: name('ib.commands.dlq'),
    subscriptions: name('ib.subscriptions'),
    orderJournal: name('ib.order-journal'),
    contracts: name('ib.contracts'),
    bars: name('ib.bars'),
  };
}

function positiveInt(text, fallback, what) {
  if (text === undefined || text === '') {
    return fallback;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    fail(`${what} must be a whole number above 0 but was '${text}'`);
  }
  return n;
}

/** One line on stderr and exit 1: what a user of a command-line tool should see, never a stack trace. */
function fail(line) {
  console.error(line);
  process.exit(1);
}

function registry(url) {
  return new SchemaRegistryClient({ baseURLs: [url] });
}

// The bridge's subjects are `<topic>-value` (TopicNameStrategy). Confluent's JS serde otherwise first asks the
// registry for an "associated" subject, an API that registries other than Confluent Cloud do not all have.
const TOPIC_SUBJECTS = { subjectNameStrategyType: SubjectNameStrategyType.TOPIC };

/**
 * A Confluent-format Avro serializer that writes with the schema registered under `<topic>-value` (fetched from
 * the registry, latest version) and never registers one of its own: the bridge owns its subjects.
 */
function valueSerializer(client) {
  return new AvroSerializer(client, SerdeType.VALUE, { ...TOPIC_SUBJECTS, useLatestVersion: true, autoRegisterSchemas: false });
}

/** A Confluent-format Avro deserializer: the writer's schema is fetched by the id in each record's header. */
function valueDeserializer(client) {
  return new AvroDeserializer(client, SerdeType.VALUE, TOPIC_SUBJECTS);
}

/**
 * A decimal as the bridge's schemas carry it (Avro bytes, logicalType decimal, scale 10): the unscaled value in
 * big-endian two's complement. avsc, under Confluent's serde, leaves decimals to the caller.
 */
function decimalBytes(text, scale = 10) {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!match || (match[3] || '').length > scale) {
    throw new Error(`not a decimal with at most ${scale} places: '${text}'`);
  }
  let unscaled = BigInt(match[2] + (match[3] || '').padEnd(scale, '0'));
  if (match[1] === '-') {
    unscaled = -unscaled;
  }
  let bytes = [];
  let v = unscaled;
  // Big-endian two's complement, as short as the sign allows (Java's BigInteger.toByteArray).
  do {
    bytes.unshift(Number(BigInt.asUintN(8, v)));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0] & 0x80) === 0) || (v === -1n && (bytes[0] & 0x80) !== 0)));
  return Buffer.from(bytes);
}

/** The value of a decimal the bridge wrote, as text, exactly (for printing). */
function decimalText(buffer, scale = 10) {
  if (!Buffer.isBuffer(buffer) || buffer.length === 0) {
    return String(buffer);
  }
  let v = BigInt.asIntN(buffer.length * 8, BigInt('0x' + buffer.toString('hex')));
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return (negative ? '-' : '') + whole + (fraction ? '.' + fraction : '');
}

module.exports = { settings, topicNames, fail, registry, valueSerializer, valueDeserializer, decimalBytes, decimalText };
