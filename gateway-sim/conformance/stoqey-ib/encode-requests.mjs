// Encodes a table of requests with @stoqey/ib's own encoder and prints the frames it would put on the wire.
//
// Input (stdin): {"requests": [{"id": "...", "serverVersion": 176, "type": "placeOrder", ...}, ...]}
//   placeOrder:    {orderId, contract, order}       contract and order in @stoqey/ib's own shapes
//   reqMktData:    {reqId, contract, genericTickList, snapshot, regulatorySnapshot}
//   cancelOrder:   {orderId, orderCancel}
//   reqExecutions: {reqId, filter}
//   reqContractDetails: {reqId, contract}
//   reqHistoricalData: {reqId, contract, endDateTime, durationStr, barSizeSetting, whatToShow, useRTH, formatDate,
//                       keepUpToDate, chartOptions}
//   reqRealTimeBars: {reqId, contract, barSize, whatToShow, useRTH, realTimeBarsOptions}
//   reqHeadTimestamp: {reqId, contract, whatToShow, useRTH, formatDate}
//   cancelHistoricalData, cancelRealTimeBars, cancelHeadTimestamp: {reqId}
//   reqCurrentTime: {}
// Output (stdout): one JSON line {"results": [{"id", "frames": [base64, ...], "errors": [text, ...]}, ...]}
//
// The library's Encoder is driven directly, with no socket and no rate limiter in between, and each message is
// framed by the library's own Socket.send, so the bytes are exactly those @stoqey/ib writes to a Gateway.
// A request the encoder refuses is reported through "errors" (the library's emitError), never dropped.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Encoder } = require("@stoqey/ib/dist/core/io/encoder.js");
const { Socket } = require("@stoqey/ib/dist/core/io/socket.js");

const SUPPORTED = new Set(["placeOrder", "reqMktData", "cancelOrder", "reqExecutions", "reqContractDetails",
  "reqHistoricalData", "cancelHistoricalData", "reqRealTimeBars", "cancelRealTimeBars", "reqHeadTimestamp",
  "cancelHeadTimestamp", "reqCurrentTime"]);

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

/** Encodes one request at its server version; returns the frames written and the errors raised. */
function encode(request) {
  const frames = [];
  const errors = [];
  // Socket.send only needs these members: it flattens the tokens, turns booleans into 0/1, joins them with
  // NUL, prefixes the length and writes the bytes to its client.
  const wire = {
    useV100Plus: true,
    client: { write: (bytes) => frames.push(Buffer.from(bytes).toString("base64")) },
    controller: { emitEvent: () => {} },
  };
  for (const name of ["flattenDeep", "stringToUTF8Array", "numberTo32BitBigEndian"]) {
    wire[name] = Socket.prototype[name];
  }
  const encoder = new Encoder({
    serverVersion: request.serverVersion,
    sendMsg: (tokens) => Socket.prototype.send.call(wire, tokens),
    emitError: (message, code, reqId) => errors.push(`${code} (id ${reqId}): ${message}`),
    emitEvent: () => {},
  });
  if (!SUPPORTED.has(request.type)) {
    errors.push(`encode-requests.mjs does not drive ${request.type}`);
    return { frames, errors };
  }
  try {
    switch (request.type) {
      case "placeOrder":
        encoder.placeOrder(request.orderId, request.contract, request.order);
        break;
      case "reqMktData":
        encoder.reqMktData(request.reqId, request.contract, request.genericTickList, request.snapshot,
          request.regulatorySnapshot);
        break;
      case "cancelOrder":
        encoder.cancelOrder(request.orderId, request.orderCancel ?? {});
        break;
      case "reqExecutions":
        encoder.reqExecutions(request.reqId, request.filter ?? {});
        break;
      case "reqContractDetails":
        encoder.reqContractDetails(request.reqId, request.contract);
        break;
      case "reqHistoricalData":
        encoder.reqHistoricalData(request.reqId, request.contract, request.endDateTime, request.durationStr,
          request.barSizeSetting, request.whatToShow, request.useRTH, request.formatDate, request.keepUpToDate,
          request.chartOptions);
        break;
      case "cancelHistoricalData":
        encoder.cancelHistoricalData(request.reqId);
        break;
      case "reqRealTimeBars":
        encoder.reqRealTimeBars(request.reqId, request.contract, request.barSize, request.whatToShow,
          request.useRTH, request.realTimeBarsOptions);
        break;
      case "cancelRealTimeBars":
        encoder.cancelRealTimeBars(request.reqId);
        break;
      case "reqHeadTimestamp":
        encoder.reqHeadTimestamp(request.reqId, request.contract, request.whatToShow, request.useRTH,
          request.formatDate);
        break;
      case "cancelHeadTimestamp":
        encoder.cancelHeadTimestamp(request.reqId);
        break;
      case "reqCurrentTime":
        encoder.reqCurrentTime();
        break;
    }
  } catch (e) {
    errors.push(`exception: ${e?.stack ?? e}`);
  }
  return { frames, errors };
}

const input = JSON.parse(await readStdin());
const results = input.requests.map((request) => ({ id: request.id, ...encode(request) }));
process.stdout.write(JSON.stringify({ results }) + "\n");
