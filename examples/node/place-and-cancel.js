'use strict';

// A strategy's side of the bridge, with Confluent's JS client and serializer: subscribes to quotes, places a limit
// order far from the market (so that it rests), cancels it, and waits on ib.command-results for each command's
// final result. Exit 0 when all three end as expected, 1 otherwise (a timeout included).
//
//   KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 SCHEMA_REGISTRY_URL=http://127.0.0.1:8081 node place-and-cancel.js

const { Kafka, logLevel } = require('@confluentinc/kafka-javascript').KafkaJS;
const { settings, fail, registry, valueSerializer, valueDeserializer, decimalBytes } = require('./lib/clients');

const config = settings();
const account = process.env.ACCOUNT || 'DU111111'; // the simulated Gateway's first account (bridge demo)
const symbol = process.env.SYMBOL || 'AAPL';
const limitPrice = Number(process.env.LIMIT_PRICE || '1.00'); // far below the simulated market: the order rests
const runId = process.env.RUN_ID || `node-${Date.now().toString(36)}`;

const SCHEMA = 'io.twsbridge.schema.';
/** A command's last result: any status but ACCEPTED (schemas/README.md, "Commands and their results"). */
const isFinal = (r) => r.status !== 'ACCEPTED';

function instrument() {
  return {
    symbol, secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: null, conId: null,
    lastTradeDateOrContractMonth: null, strike: null, right: null, multiplier: null, localSymbol: null,
    tradingClass: null,
  };
}

/** A Command envelope; `payload` is one branch of the union, named by its full Avro name. */
function command(id, type, fields, expiresInMs) {
  const now = Date.now();
  return {
    commandId: id, issuedAt: now, expiresAt: expiresInMs ? now + expiresInMs : null, account,
    issuedBy: 'examples/node/place-and-cancel.js', payload: { [SCHEMA + type]: fields },
  };
}

/** The results of our commands as they arrive, and promises for the ones awaited. */
class Results {
  constructor() {
    this.byCommand = new Map();
    this.waiting = [];
  }

  add(result) {
    const list = this.byCommand.get(result.commandId) || [];
    list.push(result);
    this.byCommand.set(result.commandId, list);
    this.waiting = this.waiting.filter((w) => !(w.commandId === result.commandId && w.test(result) && (w.resolve(result), true)));
  }

  /** The first result of `commandId` that passes `test`, or a rejection naming what did not come in time. */
  await(commandId, test, what) {
    const seen = (this.byCommand.get(commandId) || []).find(test);
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const got = (this.byCommand.get(commandId) || []).map((r) => r.status).join(', ') || 'none';
        reject(new Error(`timed out after ${config.timeoutMs / 1000} s waiting for ${what} of ${commandId} `
            + `on ${config.topics.commandResults} (results so far: ${got})`));
      }, config.timeoutMs);
      this.waiting.push({ commandId, test, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
  }
}

function describe(r) {
  return `${r.commandId} ${r.commandType} ${r.status} ${r.reasonCode}`
      + (r.orderId == null ? '' : ` orderId=${r.orderId}`) + ` "${r.message}"`;
}

async function main() {
  const client = registry(config.registryUrl);
  const serializer = valueSerializer(client);
  const deserializer = valueDeserializer(client);
  const kafka = new Kafka({ kafkaJS: { clientId: 'place-and-cancel', brokers: config.brokers, logLevel: logLevel.ERROR } });
  // librdkafka's default partitioner (consistent_random, CRC32) would put an account's commands on another
  // partition than the Java client and kafkajs do, where a cancel could overtake its order: murmur2_random is
  // the Java client's murmur2 (schemas/README.md, "Keys").
  const producer = kafka.producer({ 'partitioner': 'murmur2_random', kafkaJS: { acks: -1 } });
  const consumer = kafka.consumer({ kafkaJS: { groupId: `place-and-cancel-${runId}`, fromBeginning: true, autoCommit: false } });
  const results = new Results();
  const ours = new Set(['subscribe', 'order', 'cancel'].map((s) => `${runId}-${s}`));

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [config.topics.commandResults] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value === null || !ours.has(String(message.key))) {
        return; // results are keyed by commandId: another client's command
      }
      const result = await deserializer.deserialize(config.topics.commandResults, message.value);
      console.log(`result ${describe(result)}`);
      results.add(result);
    },
  });

  const send = async (c) => {
    const value = await serializer.serialize(config.topics.commands, c);
    const [sent] = await producer.send({ topic: config.topics.commands, messages: [{ key: account, value }] });
    console.log(`sent ${c.commandId} (${Object.keys(c.payload)[0].slice(SCHEMA.length)}) to `
        + `${config.topics.commands}-${sent.partition}@${sent.baseOffset} key ${account}`);
  };
  const outcomes = [];
  const expect = (label, r, status, reasonCode) => {
    const ok = r.status === status && r.reasonCode === reasonCode;
    outcomes.push(ok);
    console.log(`${ok ? 'ok' : 'UNEXPECTED'}: ${label} ended ${r.status} ${r.reasonCode}`
        + (ok ? '' : ` (expected ${status} ${reasonCode})`));
  };

  try {
    const subscribeId = `${runId}-subscribe`;
    await send(command(subscribeId, 'SubscribeQuotes', { instrument: instrument() }));
    expect('SubscribeQuotes', await results.await(subscribeId, isFinal, 'the final result'), 'COMPLETED', 'OK');

    const orderId = `${runId}-order`;
    await send(command(orderId, 'PlaceOrder', {
      instrument: instrument(), action: 'BUY', quantity: decimalBytes('1'), orderType: 'LMT', limitPrice,
      stopPrice: null, timeInForce: 'DAY', outsideRth: false,
    }, 60_000));
    // ACCEPTED: the order is at IB. A final result first would be a refusal: nothing rests to be cancelled.
    const placed = await results.await(orderId, () => true, 'the first result');
    if (placed.status !== 'ACCEPTED') {
      expect('PlaceOrder', placed, 'ACCEPTED', 'OK');
    } else {
      const cancelId = `${runId}-cancel`;
      await send(command(cancelId, 'CancelOrder', { targetCommandId: orderId, orderId: null }, 60_000));
      expect('CancelOrder', await results.await(cancelId, isFinal, 'the final result'), 'COMPLETED', 'ORDER_CANCELLED');
      expect('PlaceOrder', await results.await(orderId, isFinal, 'the final result'), 'COMPLETED', 'ORDER_CANCELLED');
    }
  } catch (e) {
    console.log(e.message);
    outcomes.push(false);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  const passed = outcomes.length > 0 && outcomes.every(Boolean);
  console.log(passed ? 'all commands reached their expected final results' : 'FAILED: see the lines above');
  process.exit(passed ? 0 : 1);
}

main().catch((e) => fail(`place-and-cancel: ${e.message}`));
