#!/usr/bin/env node
// Conformance run of the independent TWS API client @stoqey/ib against a TWS-protocol server
// (normally gateway-sim). It walks a fixed trading scenario through the client's event API and
// fails on any decoding problem the client reports, on any unexpected error code, and on
// values that can only come from misaligned fields (NaN numbers, wrong echoed order fields).
//
// Usage:
//   node conformance.mjs --host 127.0.0.1 --port 7497 --client-id 7 --symbol AAPL --timeout-ms 30000
// Optional: --step-timeout-ms N (default min(10000, timeout)), --expect-server-version N,
//           --unknown-symbol S (default NOSUCH), --ambiguous-symbol S (default TWIN),
//           --trace (every frame on stderr).
//
// Output: exactly one JSON line on stdout:
//   {"ok":bool,"serverVersion":n,"steps":{name:"ok"|"failed: why"},"counts":{event:n},
//    "elapsedMs":{step:n},"contractDetails":{...},"decodingErrors":[...],"unexpectedErrors":[...]}
// Exit status 0 iff ok. Progress goes to stderr. See CLIENT-FACTS.md for what the client does.

import process from "node:process";
import { parseArgs } from "node:util";
import stoqey from "@stoqey/ib";

const { IBApi } = stoqey;

// ---------------------------------------------------------------------------------------------
// Configuration

const STEP_NAMES = [
  "connect",
  "currentTime",
  "contractDetails",
  "accountSummary",
  "accountUpdates",
  "accountUpdatesMulti",
  "positions",
  "marketData",
  "restingOrder",
  "marketOrder",
  "openOrders",
  "executions",
  "completedOrders",
  "disconnect",
];

// Historical and real-time bars: their steps run after completedOrders, and what the client decoded is
// reported in `bars`, for the caller to compare with what the server sent.
const BAR_STEP_NAMES = ["historicalBars", "realTimeBars"];
STEP_NAMES.splice(STEP_NAMES.indexOf("disconnect"), 0, ...BAR_STEP_NAMES);

/** Notice codes that are expected and never a failure (farm status notices). */
const ALLOWED_NOTICE_CODES = new Set([2104, 2106, 2158]);
/** "Order Canceled - reason:"; allowed only for an order this run asked to cancel. */
const ORDER_CANCELLED_CODE = 202;
/** "No security definition has been found for the request"; allowed only for a request expected to find nothing. */
const NO_SECURITY_DEFINITION_CODE = 200;
/** @stoqey/ib reports every decoder problem as an `error` event with this code (ErrorCode.UNKNOWN_ID). */
const CLIENT_DECODING_CODE = 505;
const ACCOUNT_SUMMARY_TAGS = "NetLiquidation,TotalCashValue,BuyingPower,AccountType";
const MAX_STORED_PER_EVENT = 5000;
const MAX_REPORTED_ERRORS = 50;
/** Order states: a resting order must reach WORKING; PENDING ones are transient. */
const WORKING = new Set(["PreSubmitted", "Submitted"]);
const PENDING = new Set(["PendingSubmit", "ApiPending"]);
const TERMINAL_OR_CANCELLING = new Set(["PendingCancel", "ApiCancelled", "Cancelled", "Filled", "Inactive"]);

const result = {
  ok: false,
  serverVersion: null,
  steps: Object.fromEntries(STEP_NAMES.map((n) => [n, "failed: not run"])),
  counts: {},
  /** Request-to-End time of the steps whose latency matters (a client that waits for the End at connect). */
  elapsedMs: {},
  /** What the client decoded for reqContractDetails: {known: [details], ambiguous: [details], unknown: {code, message}}. */
  contractDetails: {},
  decodingErrors: [],
  unexpectedErrors: [],
  /** historical: {reqId: {request, bars: [[date, open, high, low, close, volume, WAP, barCount]], end}};
   *  realtime: [[reqId, time, open, high, low, close, volume, WAP, count]] */
  bars: { historical: {}, realtime: [] },
};

let options;
try {
  options = readOptions(process.argv.slice(2));
} catch (e) {
  for (const n of STEP_NAMES) result.steps[n] = "failed: not run (bad arguments)";
  result.steps.connect = `failed: bad arguments: ${e.message}`;
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(2);
}

const deadline = Date.now() + options.timeoutMs;
const hardTimer = setTimeout(() => {
  abortRun(`overall timeout of ${options.timeoutMs} ms reached`);
  setImmediate(finish); // let the running step record its failure first
}, options.timeoutMs);

// ---------------------------------------------------------------------------------------------
// Recording of everything the client emits

let seq = 0; // global order of decoded events, for "X before End" checks
const rec = {}; // event name -> [{seq, args}]
const recentFrames = []; // last received frames, for diagnostics
let lastFrame = null;
let framesReceived = 0;
let nextValidId = null;
let accounts = [];
let connectionTime = null;
let disconnecting = false;
let connectionLost = false;
let abortReason = null;
let currentStep = null;
const cancelRequested = new Set(); // order ids for which error 202 is expected
const expectedErrors = new Map(); // request id -> {code, seen: [messages]} for errors a step asks for
const waiters = new Set();

const ib = new IBApi({ host: options.host, port: options.port });
ib.on("error", () => {}); // everything is handled through the "all" event below
ib.on("all", (name, args) => {
  try {
    onEvent(name, Array.isArray(args) ? args : []);
  } catch (e) {
    result.unexpectedErrors.push({ via: "harness", code: null, id: null, message: `harness bug: ${e?.stack ?? e}` });
  }
  poke();
});

process.on("uncaughtException", (e) => {
  const stack = String(e?.stack ?? e);
  // A non-underrun exception inside the client's decoder (e.g. JSON.parse of a bad
  // advancedOrderRejectJson) is rethrown out of the socket's data handler and lands here.
  const fromDecoder = /[\\/]core[\\/]io[\\/]decoder\.js/.test(stack);
  const entry = { kind: "exception", code: null, message: oneLine(stack, 600), frame: summarizeFrame(lastFrame) };
  if (fromDecoder) result.decodingErrors.push(entry);
  else result.unexpectedErrors.push({ via: "exception", code: null, id: null, message: entry.message });
  poke();
});
process.on("unhandledRejection", (e) => {
  result.unexpectedErrors.push({ via: "exception", code: null, id: null, message: oneLine(String(e?.stack ?? e), 600) });
  poke();
});

function onEvent(name, args) {
  result.counts[name] = (result.counts[name] ?? 0) + 1;
  switch (name) {
    case "received":
      return onFrame(args[0], args[1]);
    case "sent":
      return;
    case "server":
      result.serverVersion = Number(args[0]);
      connectionTime = args[1];
      return;
    case "connected":
      return;
    case "disconnected":
      if (!disconnecting) {
        connectionLost = true;
        result.unexpectedErrors.push({ via: "disconnect", code: null, id: null, message: "connection closed (not by this client)" });
      }
      return;
    case "error":
      return onClientError(args[0], args[1], args[2]);
    case "info":
      return onClientInfo(args[0], args[1]);
    default:
      break;
  }
  // A decoded message.
  const nanPath = findNaN(args, name, 0);
  if (nanPath) {
    result.decodingErrors.push({
      kind: "nan",
      code: null,
      message: `${nanPath} is NaN: a number field held non-numeric text (misaligned or malformed fields)`,
      frame: summarizeFrame(lastFrame),
    });
  }
  if (name === "nextValidId" && nextValidId === null) nextValidId = Number(args[0]);
  if (name === "managedAccounts" && accounts.length === 0) {
    accounts = String(args[0] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  const list = (rec[name] ??= []);
  if (list.length < MAX_STORED_PER_EVENT) list.push({ seq: ++seq, args });
}

function onFrame(tokens, raw) {
  framesReceived += 1;
  lastFrame = Array.isArray(tokens) ? tokens : [];
  recentFrames.push(`${lastFrame[0] ?? "?"}/${lastFrame.length}`);
  if (recentFrames.length > 10) recentFrames.shift();
  if (options.trace) process.stderr.write(`[conformance] <= ${JSON.stringify(lastFrame)}\n`);
  if (typeof raw === "string" && !raw.endsWith("\0")) {
    // The client keeps the unterminated tail and glues it onto the next frame.
    result.decodingErrors.push({
      kind: "framing",
      code: null,
      message: "frame payload does not end with a NUL; the client carries the tail into the next frame",
      frame: summarizeFrame(lastFrame),
    });
  }
  if (framesReceived === 1 && result.serverVersion === null && /^\d+$/.test(lastFrame[0] ?? "")) {
    result.serverVersion = Number(lastFrame[0]);
  }
  if (framesReceived === 1 && lastFrame.length !== 2) {
    // The client reads tokens[0] and tokens[1] and silently drops anything else.
    result.decodingErrors.push({
      kind: "handshake",
      code: null,
      message: `handshake reply has ${lastFrame.length} fields, expected exactly 2 [serverVersion, connectionTime]`,
      frame: summarizeFrame(lastFrame),
    });
  }
}

function onClientError(err, code, reqId) {
  const message = err instanceof Error ? err.message : String(err);
  const id = typeof reqId === "number" ? reqId : -1;
  if (code === CLIENT_DECODING_CODE && id === -1) {
    result.decodingErrors.push({ kind: decodingKind(message), code, message: oneLine(message, 600), frame: summarizeFrame(lastFrame) });
    return;
  }
  if (ALLOWED_NOTICE_CODES.has(code)) return;
  if (code === ORDER_CANCELLED_CODE && cancelRequested.has(id)) return;
  const expected = expectedErrors.get(id);
  if (expected && expected.code === code) {
    expected.seen.push(message);
    return;
  }
  const entry = { via: "error", code: code ?? null, id, message: oneLine(message, 600) };
  result.unexpectedErrors.push(entry);
  // Server messages with id -1 arrive as "info", so an error event with id -1 comes from the
  // client library itself (refused request, socket failure): nothing will answer the step.
  for (const w of [...waiters]) {
    if (id === -1 || w.ids.has(id)) w.fail(`error ${code} for id ${id}: ${entry.message}`);
  }
}

function onClientInfo(message, code) {
  // @stoqey/ib routes every server error message with id -1 to "info", whatever its code.
  if (ALLOWED_NOTICE_CODES.has(code)) return;
  result.unexpectedErrors.push({ via: "info", code: code ?? null, id: -1, message: oneLine(String(message), 600) });
}

function decodingKind(message) {
  if (message.startsWith("Decoding error on")) return "leftover";
  if (message.startsWith("Underrun error on")) return "underrun";
  if (message.startsWith("No parser implementation found")) return "unknownMessageId";
  return "decoder"; // e.g. an error message (id 4) with a version below 2
}

// ---------------------------------------------------------------------------------------------
// Waiting

/**
 * Waits until `check()` returns true. `check` may return a string to fail at once. Fails on an
 * unexpected error event for one of `ids`, on connection loss, and on timeout.
 */
function waitFor(description, check, { ids = [], timeoutMs = options.stepTimeoutMs, progress } = {}) {
  return new Promise((resolve, reject) => {
    // Stay inside the overall deadline, but leave a short wait even near it (the hard timer still ends the run).
    const budget = Math.min(timeoutMs, Math.max(200, deadline - Date.now() - 250));
    const w = {
      ids: new Set(ids),
      settled: false,
      evaluate() {
        if (w.settled) return;
        let verdict;
        try {
          verdict = check();
        } catch (e) {
          verdict = `harness check threw: ${e?.message ?? e}`;
        }
        if (verdict === true) w.done(null);
        else if (typeof verdict === "string") w.done(verdict);
        else if (connectionLost) w.done(`connection closed while waiting for ${description}${lastProblem()}`);
      },
      fail(reason) {
        w.done(reason);
      },
      done(reason) {
        if (w.settled) return;
        w.settled = true;
        clearTimeout(w.timer);
        waiters.delete(w);
        if (reason === null) resolve();
        else reject(new Error(reason));
      },
    };
    w.timer = setTimeout(() => {
      const seen = progress ? `; seen ${progress()}` : "";
      w.done(`timeout after ${budget} ms waiting for ${description}${seen}; last frames (id/fields) [${recentFrames.join(" ")}]${lastProblem()}`);
    }, budget);
    waiters.add(w);
    w.evaluate();
  });
}

/** Hint for a failed wait: the latest decoding or unexpected error, if any. */
function lastProblem() {
  const d = result.decodingErrors.at(-1);
  const u = result.unexpectedErrors.findLast((e) => e.via !== "disconnect") ?? result.unexpectedErrors.at(-1);
  const parts = [];
  if (d) parts.push(`${result.decodingErrors.length} decoding error(s), latest: ${oneLine(d.message, 200)}`);
  if (u) parts.push(`${result.unexpectedErrors.length} unexpected error(s), latest: ${u.code ?? u.via} ${oneLine(u.message, 200)}`);
  return parts.length ? `; ${parts.join("; ")}` : "";
}

function poke() {
  for (const w of [...waiters]) w.evaluate();
}

const events = (name) => rec[name] ?? [];
const after = (name, mark) => events(name).filter((e) => e.seq > mark);
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now() - 250))));

let idCounter = null;
/** One counter for request ids and order ids, starting at nextValidId, so every id is unambiguous. */
function nextId() {
  if (idCounter === null) idCounter = nextValidId ?? 1;
  return idCounter++;
}

// ---------------------------------------------------------------------------------------------
// The scenario

const contract = { symbol: options.symbol, secType: "STK", exchange: "SMART", currency: "USD" };
const runTag = Date.now();
const restRef = `conf-rest-${runTag}`;
const fillRef = `conf-fill-${runTag}`;
const ctx = { account: null, portfolioDuringUpdates: 0, restDone: false, fillDone: false, fillExecIds: new Set() };

async function runStep(name, body) {
  if (abortReason !== null) {
    result.steps[name] = `failed: not run (${abortReason})`;
    return false;
  }
  if (connectionLost && name !== "disconnect") {
    result.steps[name] = "failed: not run (connection lost)";
    return false;
  }
  const t0 = Date.now();
  currentStep = name;
  try {
    await body();
    result.steps[name] = "ok";
  } catch (e) {
    result.steps[name] = `failed: ${oneLine(e?.message ?? String(e), 800)}`;
  }
  log(`${name}: ${result.steps[name]} (${Date.now() - t0} ms)`);
  return result.steps[name] === "ok";
}

async function scenario() {
  const connected = await runStep("connect", async () => {
    ib.connect(options.clientId);
    await waitFor(
      "nextValidId and a non-empty managedAccounts",
      () => nextValidId !== null && accounts.length > 0,
      { progress: () => `nextValidId=${nextValidId} accounts=${JSON.stringify(accounts)} serverVersion=${result.serverVersion}` },
    );
    ctx.account = accounts[0];
    if (!Number.isInteger(nextValidId) || nextValidId < 0) throw new Error(`nextValidId ${nextValidId} is not a non-negative integer`);
    if (options.expectServerVersion !== null && result.serverVersion !== options.expectServerVersion) {
      throw new Error(`negotiated server version ${result.serverVersion}, expected ${options.expectServerVersion}`);
    }
    log(`connected: serverVersion=${result.serverVersion} connectionTime=${JSON.stringify(connectionTime)} nextValidId=${nextValidId} accounts=${accounts.join(",")}`);
  });
  if (!connected && (nextValidId === null || accounts.length === 0)) {
    abortReason = "connect failed";
  }

  await runStep("currentTime", async () => {
    const mark = seq;
    ib.reqCurrentTime();
    await waitFor("currentTime", () => after("currentTime", mark).length > 0);
    const t = after("currentTime", mark)[0].args[0];
    if (!Number.isInteger(t) || t <= 0) throw new Error(`currentTime ${t} is not a positive integer (epoch seconds)`);
  });

  await runStep("contractDetails", async () => {
    const mineBefore = (name, reqId, endSeq) => events(name).filter((e) => e.args[0] === reqId && e.seq < endSeq);
    /** Sends reqContractDetails and returns every contractDetails before its contractDetailsEnd. */
    const detailsOf = async (what, description) => {
      const reqId = nextId();
      const ends = () => events("contractDetailsEnd").filter((e) => e.args[0] === reqId);
      ib.reqContractDetails(reqId, description);
      await waitFor(`contractDetailsEnd(${reqId}) for ${what}`, () => ends().length > 0, {
        ids: [reqId],
        progress: () => `contractDetails=${events("contractDetails").filter((e) => e.args[0] === reqId).length}`,
      });
      return mineBefore("contractDetails", reqId, ends()[0].seq).map((e) => e.args[1]);
    };
    const stock = (symbol) => ({ symbol, secType: "STK", exchange: "SMART", currency: "USD" });

    const known = await detailsOf(options.symbol, stock(options.symbol));
    result.contractDetails.known = known;
    if (known.length !== 1) throw new Error(`${options.symbol} matched ${known.length} contracts, expected 1`);
    if (known[0]?.contract?.symbol !== options.symbol || !(known[0]?.contract?.conId > 0)) {
      throw new Error(`contractDetails for ${options.symbol} decoded as ${JSON.stringify(known[0]?.contract)}`);
    }

    // Nothing matches: error 200 under the reqId, and no contractDetailsEnd (checked after the next request's End,
    // which comes later on the same connection).
    const unknownId = nextId();
    const expected = { code: NO_SECURITY_DEFINITION_CODE, seen: [] };
    expectedErrors.set(unknownId, expected);
    const unknownMark = seq;
    ib.reqContractDetails(unknownId, stock(options.unknownSymbol));
    await waitFor(`error ${NO_SECURITY_DEFINITION_CODE} for reqId ${unknownId} (${options.unknownSymbol})`,
      () => expected.seen.length > 0);
    result.contractDetails.unknown = { code: expected.code, message: expected.seen[0] };

    const ambiguous = await detailsOf(options.ambiguousSymbol, stock(options.ambiguousSymbol));
    result.contractDetails.ambiguous = ambiguous;
    if (ambiguous.length !== 2) throw new Error(`${options.ambiguousSymbol} matched ${ambiguous.length} contracts, expected 2`);
    if (new Set(ambiguous.map((d) => d?.contract?.conId)).size !== 2) {
      throw new Error(`the two matches of ${options.ambiguousSymbol} share a conId: ${JSON.stringify(ambiguous.map((d) => d?.contract))}`);
    }
    const strays = after("contractDetailsEnd", unknownMark).filter((e) => e.args[0] === unknownId).length
      + after("contractDetails", unknownMark).filter((e) => e.args[0] === unknownId).length;
    if (strays > 0) throw new Error(`${strays} contractDetails/contractDetailsEnd for reqId ${unknownId} after error 200`);
    if (expected.seen.length !== 1) throw new Error(`error 200 for reqId ${unknownId} arrived ${expected.seen.length} times`);
  });

  await runStep("accountSummary", async () => {
    const reqId = nextId();
    const mark = seq;
    const mine = (name) => after(name, mark).filter((e) => e.args[0] === reqId);
    ib.reqAccountSummary(reqId, "All", ACCOUNT_SUMMARY_TAGS);
    try {
      await waitFor(`accountSummaryEnd(${reqId})`, () => mine("accountSummaryEnd").length > 0, {
        ids: [reqId],
        progress: () => `accountSummary=${mine("accountSummary").length}`,
      });
    } finally {
      ib.cancelAccountSummary(reqId);
    }
    const endSeq = mine("accountSummaryEnd")[0].seq;
    const rows = mine("accountSummary").filter((e) => e.seq < endSeq);
    if (rows.length === 0) throw new Error(`accountSummaryEnd(${reqId}) arrived without any accountSummary before it`);
    const requested = new Set(ACCOUNT_SUMMARY_TAGS.split(","));
    for (const { args } of rows) {
      const [, account, tag] = args;
      if (!account) throw new Error(`accountSummary row without an account: ${JSON.stringify(args)}`);
      if (!requested.has(tag)) throw new Error(`accountSummary returned tag ${JSON.stringify(tag)} that was not requested`);
    }
  });

  await runStep("accountUpdates", async () => {
    const account = ctx.account;
    const mark = seq;
    const ends = () => after("accountDownloadEnd", mark).filter((e) => e.args[0] === account);
    ib.reqAccountUpdates(true, account);
    try {
      await waitFor(`accountDownloadEnd(${account})`, () => ends().length > 0, {
        progress: () =>
          `updateAccountValue=${after("updateAccountValue", mark).length} updatePortfolio=${after("updatePortfolio", mark).length} ` +
          `accountDownloadEnd=${JSON.stringify(after("accountDownloadEnd", mark).map((e) => e.args[0]))}`,
      });
    } finally {
      ib.reqAccountUpdates(false, account);
    }
    const endSeq = ends()[0].seq;
    const values = after("updateAccountValue", mark).filter((e) => e.seq < endSeq);
    if (values.length === 0) throw new Error("accountDownloadEnd arrived without any updateAccountValue before it");
    ctx.portfolioDuringUpdates = after("updatePortfolio", mark).filter((e) => e.seq < endSeq).length;
  });

  // ib_async sends this for every account at each connect and waits for each End: a server that never
  // answers costs such a client its whole timeout. The request is reqId-keyed, so the End must carry it.
  await runStep("accountUpdatesMulti", async () => {
    const account = ctx.account;
    const reqId = nextId();
    const mark = seq;
    // @stoqey/ib 1.6.10 reads the End's reqId as text and the values' reqId as a number: compare as numbers.
    const mine = (name) => after(name, mark).filter((e) => Number(e.args[0]) === reqId);
    const t0 = Date.now();
    ib.reqAccountUpdatesMulti(reqId, account, "", false);
    try {
      await waitFor(`accountUpdateMultiEnd(${reqId})`, () => mine("accountUpdateMultiEnd").length > 0, {
        ids: [reqId],
        progress: () => `accountUpdateMulti=${mine("accountUpdateMulti").length}`,
      });
      result.elapsedMs.accountUpdatesMulti = Date.now() - t0;
      log(`accountUpdatesMulti: accountUpdateMultiEnd(${reqId}) ${result.elapsedMs.accountUpdatesMulti} ms after the request`);
    } finally {
      ib.cancelAccountUpdatesMulti(reqId);
    }
    const endSeq = mine("accountUpdateMultiEnd")[0].seq;
    const rows = mine("accountUpdateMulti").filter((e) => e.seq < endSeq);
    if (rows.length === 0) throw new Error(`accountUpdateMultiEnd(${reqId}) arrived without any accountUpdateMulti before it`);
    for (const { args } of rows) {
      const [, acct, modelCode, key] = args;
      if (acct !== account) throw new Error(`accountUpdateMulti for account ${JSON.stringify(acct)}, requested ${account}: ${JSON.stringify(args)}`);
      if (modelCode !== "" && modelCode !== undefined) throw new Error(`accountUpdateMulti with model code ${JSON.stringify(modelCode)}, none requested`);
      if (!key) throw new Error(`accountUpdateMulti without a key: ${JSON.stringify(args)}`);
    }
    if (!rows.some(({ args }) => args[3] === "NetLiquidation" && Number.isFinite(Number(args[4])))) {
      throw new Error(`no numeric NetLiquidation among ${rows.length} accountUpdateMulti values`);
    }
  });

  await runStep("positions", async () => {
    const mark = seq;
    ib.reqPositions();
    try {
      await waitFor("positionEnd", () => after("positionEnd", mark).length > 0, {
        progress: () => `position=${after("position", mark).length}`,
      });
    } finally {
      ib.cancelPositions();
    }
    const endSeq = after("positionEnd", mark)[0].seq;
    const rows = after("position", mark).filter((e) => e.seq < endSeq);
    if (rows.length === 0) throw new Error("positionEnd arrived without any position before it");
    // reqAccountUpdates must have reported the same holdings through updatePortfolio.
    const held = rows.filter(({ args }) => args[0] === ctx.account && typeof args[2] === "number" && args[2] !== 0);
    if (held.length > 0 && ctx.portfolioDuringUpdates === 0 && result.steps.accountUpdates === "ok") {
      result.steps.accountUpdates =
        `failed: ${ctx.account} holds ${held.length} position(s) but reqAccountUpdates sent no updatePortfolio`;
    }
  });

  await runStep("marketData", async () => {
    ib.reqMarketDataType(1);
    const reqId = nextId();
    const mark = seq;
    const mine = (name) => after(name, mark).filter((e) => e.args[0] === reqId);
    ib.reqMktData(reqId, contract, "", false, false);
    try {
      await waitFor(`2 tickPrice and 2 tickSize for reqId ${reqId}`, () => mine("tickPrice").length >= 2 && mine("tickSize").length >= 2, {
        ids: [reqId],
        progress: () => `tickPrice=${mine("tickPrice").length} tickSize=${mine("tickSize").length}`,
      });
    } finally {
      ib.cancelMktData(reqId);
    }
  });

  await runStep("restingOrder", async () => {
    const orderId = nextId();
    const mark = seq;
    const statuses = () => after("orderStatus", mark).filter((e) => e.args[0] === orderId);
    const opens = () => after("openOrder", mark).filter((e) => e.args[0] === orderId);
    ib.placeOrder(orderId, contract, {
      action: "BUY",
      orderType: "LMT",
      totalQuantity: 1,
      lmtPrice: 1.0,
      tif: "DAY",
      account: ctx.account,
      orderRef: restRef,
      transmit: true,
    });
    await waitFor(
      `openOrder and orderStatus Submitted/PreSubmitted for order ${orderId}`,
      () => {
        const bad = statuses().find((e) => TERMINAL_OR_CANCELLING.has(e.args[1]));
        if (bad) return `order ${orderId} (LMT 1.00, should rest) reported status ${JSON.stringify(bad.args[1])}`;
        return opens().length > 0 && statuses().some((e) => WORKING.has(e.args[1]));
      },
      { ids: [orderId], progress: () => `openOrder=${opens().length} orderStatus=${JSON.stringify(statuses().map((e) => e.args[1]))}` },
    );
    checkOpenOrder(opens()[0].args, { orderType: "LMT", orderRef: restRef, lmtPrice: 1 });
    cancelRequested.add(orderId);
    const cancelMark = seq;
    ib.cancelOrder(orderId);
    await waitFor(
      `orderStatus Cancelled for order ${orderId}`,
      () => {
        const mine = after("orderStatus", cancelMark).filter((e) => e.args[0] === orderId);
        if (mine.some((e) => e.args[1] === "Filled")) return `resting order ${orderId} reported Filled instead of Cancelled`;
        return mine.some((e) => e.args[1] === "Cancelled");
      },
      {
        ids: [orderId],
        progress: () => `orderStatus=${JSON.stringify(after("orderStatus", cancelMark).filter((e) => e.args[0] === orderId).map((e) => e.args[1]))}`,
      },
    );
    ctx.restDone = true;
  });

  await runStep("marketOrder", async () => {
    const orderId = nextId();
    const mark = seq;
    const execs = () => after("execDetails", mark).filter((e) => e.args[2]?.orderId === orderId);
    const statuses = () => after("orderStatus", mark).filter((e) => e.args[0] === orderId);
    const commissions = () => {
      const ids = new Set(execs().map((e) => e.args[2]?.execId));
      return after("commissionReport", mark).filter((e) => ids.has(e.args[0]?.execId));
    };
    ib.placeOrder(orderId, contract, {
      action: "BUY",
      orderType: "MKT",
      totalQuantity: 1,
      tif: "DAY",
      account: ctx.account,
      orderRef: fillRef,
      transmit: true,
    });
    await waitFor(
      `execDetails, commissionReport and orderStatus Filled for order ${orderId}`,
      () => {
        const bad = statuses().find((e) => e.args[1] !== "Filled" && TERMINAL_OR_CANCELLING.has(e.args[1]));
        if (bad) return `market order ${orderId} reported status ${JSON.stringify(bad.args[1])}`;
        return execs().length > 0 && commissions().length > 0 && statuses().some((e) => e.args[1] === "Filled");
      },
      {
        ids: [orderId],
        progress: () =>
          `execDetails=${execs().length} commissionReport=${commissions().length} orderStatus=${JSON.stringify(statuses().map((e) => e.args[1]))}`,
      },
    );
    for (const e of execs()) ctx.fillExecIds.add(e.args[2].execId);
    const [, execContract, exec] = execs()[0].args;
    if (execContract?.symbol !== options.symbol) throw new Error(`execDetails symbol ${JSON.stringify(execContract?.symbol)}, expected ${options.symbol}`);
    if (exec?.side !== "BOT") throw new Error(`execDetails side ${JSON.stringify(exec?.side)}, expected "BOT"`);
    if (exec?.orderRef !== fillRef) throw new Error(`execDetails orderRef ${JSON.stringify(exec?.orderRef)}, expected ${fillRef}`);
    const filled = statuses().find((e) => e.args[1] === "Filled").args;
    if (filled[2] !== 1 || filled[3] !== 0) {
      throw new Error(`orderStatus Filled reports filled=${filled[2]} remaining=${filled[3]}, expected 1 and 0`);
    }
    ctx.fillDone = true;
  });

  await runStep("openOrders", async () => {
    let mark = seq;
    ib.reqOpenOrders();
    await waitFor("openOrderEnd after reqOpenOrders", () => after("openOrderEnd", mark).length > 0);
    mark = seq;
    ib.reqAllOpenOrders();
    await waitFor("openOrderEnd after reqAllOpenOrders", () => after("openOrderEnd", mark).length > 0);
  });

  await runStep("executions", async () => {
    const reqId = nextId();
    const mark = seq;
    const mine = (name) => after(name, mark).filter((e) => e.args[0] === reqId);
    ib.reqExecutions(reqId, {});
    await waitFor(`execDetailsEnd(${reqId})`, () => mine("execDetailsEnd").length > 0, {
      ids: [reqId],
      progress: () => `execDetails(reqId ${reqId})=${mine("execDetails").length}`,
    });
    const endSeq = mine("execDetailsEnd")[0].seq;
    const rows = mine("execDetails").filter((e) => e.seq < endSeq);
    if (rows.length === 0) throw new Error(`execDetailsEnd(${reqId}) arrived without any execDetails for reqId ${reqId} before it`);
    if (ctx.fillExecIds.size > 0 && !rows.some((e) => ctx.fillExecIds.has(e.args[2]?.execId))) {
      throw new Error(`reqExecutions did not return this run's fill (execId ${[...ctx.fillExecIds].join(",")})`);
    }
  });

  await runStep("completedOrders", async () => {
    const mark = seq;
    ib.reqCompletedOrders(false);
    await waitFor("completedOrdersEnd", () => after("completedOrdersEnd", mark).length > 0, {
      progress: () => `completedOrder=${after("completedOrder", mark).length}`,
    });
    const endSeq = after("completedOrdersEnd", mark)[0].seq;
    const rows = after("completedOrder", mark).filter((e) => e.seq < endSeq);
    if (rows.length === 0) throw new Error("completedOrdersEnd arrived without any completedOrder before it");
    const expectations = [];
    if (ctx.restDone) expectations.push([restRef, "Cancelled"]);
    if (ctx.fillDone) expectations.push([fillRef, "Filled"]);
    for (const [ref, status] of expectations) {
      const row = rows.find(({ args }) => args[1]?.orderRef === ref);
      if (!row) {
        throw new Error(
          `no completedOrder with orderRef ${ref}; got orderRefs ${JSON.stringify(rows.map(({ args }) => args[1]?.orderRef))}`,
        );
      }
      const [c, , state] = row.args;
      if (state?.status !== status) throw new Error(`completedOrder ${ref} has status ${JSON.stringify(state?.status)}, expected ${status}`);
      if (c?.symbol !== options.symbol) throw new Error(`completedOrder ${ref} has symbol ${JSON.stringify(c?.symbol)}, expected ${options.symbol}`);
    }
  });

  await barSteps();

  // Let trailing messages arrive (and be decoded) before closing.
  if (abortReason === null && !connectionLost) await sleep(300);

  await runStep("disconnect", async () => {
    if (connectionLost) throw new Error("connection was already closed by the server");
    disconnecting = true;
    const mark = result.counts.disconnected ?? 0;
    ib.disconnect();
    await waitFor("disconnected", () => (result.counts.disconnected ?? 0) > mark, { timeoutMs: 3000 });
  });
}

// ---------------------------------------------------------------------------------------------
// Bars

/** Requests whose bars are decoded: intraday with text dates, daily bars (dates), small bars with epoch dates. */
const HISTORICAL_REQUESTS = [
  { durationStr: "1 D", barSize: "5 mins", whatToShow: "TRADES", useRTH: 1, formatDate: 1 },
  { durationStr: "1 Y", barSize: "1 day", whatToShow: "MIDPOINT", useRTH: 1, formatDate: 2 },
  { durationStr: "1800 S", barSize: "5 secs", whatToShow: "BID_ASK", useRTH: 0, formatDate: 2 },
];

async function barSteps() {
  await runStep("historicalBars", async () => {
    for (const r of HISTORICAL_REQUESTS) {
      const reqId = nextId();
      const mark = seq;
      const mine = () => after("historicalData", mark).filter((e) => e.args[0] === reqId);
      const end = () => mine().find((e) => String(e.args[1]).startsWith("finished"));
      ib.reqHistoricalData(reqId, contract, "", r.durationStr, r.barSize, r.whatToShow, r.useRTH, r.formatDate, false);
      await waitFor(`historicalData end marker for reqId ${reqId} (${r.durationStr} of ${r.barSize} ${r.whatToShow})`, () => end() !== undefined, {
        ids: [reqId],
        progress: () => `historicalData=${mine().length}`,
      });
      const endSeq = end().seq;
      // the library's event: (reqId, date, open, high, low, close, volume, barCount, WAP)
      const bars = mine()
        .filter((e) => e.seq < endSeq)
        .map(({ args }) => [args[1], args[2], args[3], args[4], args[5], args[6], args[8], args[7]]);
      if (bars.length === 0) throw new Error(`no bars before the end marker for reqId ${reqId}`);
      result.bars.historical[reqId] = { request: r, bars, end: end().args[1] };
      result.counts.historicalBar = (result.counts.historicalBar ?? 0) + bars.length;
    }
  });

  await runStep("realTimeBars", async () => {
    const reqId = nextId();
    const mark = seq;
    const mine = () => after("realtimeBar", mark).filter((e) => e.args[0] === reqId);
    ib.reqRealTimeBars(reqId, contract, 5, "TRADES", false);
    try {
      await waitFor(`a realtimeBar for reqId ${reqId}`, () => mine().length > 0, { ids: [reqId] });
    } finally {
      ib.cancelRealTimeBars(reqId);
    }
    for (const { args } of mine()) result.bars.realtime.push(args.slice(0, 9));
  });
}

/** The client echoes back what it decoded; wrong values mean fields were shifted. */
function checkOpenOrder(args, want) {
  const [, c, o, state] = args;
  const problems = [];
  if (c?.symbol !== options.symbol) problems.push(`symbol ${JSON.stringify(c?.symbol)}`);
  if (c?.secType !== "STK") problems.push(`secType ${JSON.stringify(c?.secType)}`);
  if (o?.action !== "BUY") problems.push(`action ${JSON.stringify(o?.action)}`);
  if (o?.orderType !== want.orderType) problems.push(`orderType ${JSON.stringify(o?.orderType)}`);
  if (o?.totalQuantity !== 1) problems.push(`totalQuantity ${JSON.stringify(o?.totalQuantity)}`);
  if (want.lmtPrice !== undefined && o?.lmtPrice !== want.lmtPrice) problems.push(`lmtPrice ${JSON.stringify(o?.lmtPrice)}`);
  if (o?.orderRef !== want.orderRef) problems.push(`orderRef ${JSON.stringify(o?.orderRef)}`);
  if (!WORKING.has(state?.status) && !PENDING.has(state?.status)) problems.push(`orderState.status ${JSON.stringify(state?.status)}`);
  if (problems.length > 0) throw new Error(`openOrder decoded with unexpected values: ${problems.join(", ")}`);
}

// ---------------------------------------------------------------------------------------------
// Finishing

let finished = false;

function abortRun(reason) {
  if (abortReason === null) abortReason = reason;
  for (const w of [...waiters]) w.fail(reason);
}

function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(hardTimer);
  disconnecting = true; // from here on a close is expected; process.exit closes the socket
  if (abortReason !== null && currentStep !== null && result.steps[currentStep] === "failed: not run") {
    result.steps[currentStep] = `failed: ${abortReason} (while running)`;
  }
  for (const n of STEP_NAMES) {
    if (result.steps[n] === "failed: not run" && abortReason !== null) result.steps[n] = `failed: not run (${abortReason})`;
  }
  capList(result.decodingErrors, (n) => ({ kind: "truncated", code: null, message: `${n} more not shown`, frame: null }));
  capList(result.unexpectedErrors, (n) => ({ via: "truncated", code: null, id: null, message: `${n} more not shown` }));
  result.ok =
    STEP_NAMES.every((n) => result.steps[n] === "ok") &&
    result.decodingErrors.length === 0 &&
    result.unexpectedErrors.length === 0;
  emitResultAndExit(result.ok ? 0 : 1);
}

function emitResultAndExit(code) {
  const line = JSON.stringify(result) + "\n";
  const guard = setTimeout(() => process.exit(code), 2000);
  process.stdout.write(line, () => {
    clearTimeout(guard);
    process.exit(code);
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers

function readOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string" },
      "client-id": { type: "string", default: "0" },
      symbol: { type: "string", default: "AAPL" },
      "unknown-symbol": { type: "string", default: "NOSUCH" },
      "ambiguous-symbol": { type: "string", default: "TWIN" },
      "timeout-ms": { type: "string", default: "30000" },
      "step-timeout-ms": { type: "string" },
      "expect-server-version": { type: "string" },
      trace: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const int = (name, raw, min, max) => {
    if (raw === undefined) throw new Error(`--${name} is required`);
    if (!/^-?\d+$/.test(raw)) throw new Error(`--${name} must be an integer but was ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (n < min || n > max) throw new Error(`--${name} must be in ${min}..${max} but was ${n}`);
    return n;
  };
  const timeoutMs = int("timeout-ms", values["timeout-ms"], 1000, 3_600_000);
  for (const name of ["symbol", "unknown-symbol", "ambiguous-symbol"]) {
    if (!values[name] || !/^[A-Za-z0-9 .]+$/.test(values[name])) {
      throw new Error(`--${name} must be a plain ticker but was ${JSON.stringify(values[name])}`);
    }
  }
  return {
    host: values.host,
    port: int("port", values.port, 1, 65535),
    clientId: int("client-id", values["client-id"], 0, 2_147_483_647),
    symbol: values.symbol,
    unknownSymbol: values["unknown-symbol"],
    ambiguousSymbol: values["ambiguous-symbol"],
    timeoutMs,
    stepTimeoutMs:
      values["step-timeout-ms"] === undefined
        ? Math.min(10_000, timeoutMs)
        : int("step-timeout-ms", values["step-timeout-ms"], 100, 3_600_000),
    expectServerVersion:
      values["expect-server-version"] === undefined ? null : int("expect-server-version", values["expect-server-version"], 1, 1000),
    trace: values.trace,
  };
}

function capList(list, marker) {
  if (list.length > MAX_REPORTED_ERRORS) {
    const dropped = list.length - MAX_REPORTED_ERRORS;
    list.splice(MAX_REPORTED_ERRORS);
    list.push(marker(dropped));
  }
}

/** Path of the first NaN number inside an event's arguments, or null. */
function findNaN(value, path, depth) {
  if (typeof value === "number") return Number.isNaN(value) ? path : null;
  if (value === null || typeof value !== "object" || depth > 4) return null;
  for (const [k, v] of Object.entries(value)) {
    const hit = findNaN(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

function summarizeFrame(tokens) {
  if (!Array.isArray(tokens)) return null;
  const head = tokens.slice(0, 60).map((t) => (typeof t === "string" && t.length > 80 ? `${t.slice(0, 80)}...` : t));
  if (tokens.length > 60) head.push(`...(${tokens.length} fields)`);
  return head;
}

function oneLine(text, max) {
  const s = String(text).replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

function log(message) {
  process.stderr.write(`[conformance] ${message}\n`);
}

scenario()
  .catch((e) => {
    result.unexpectedErrors.push({ via: "harness", code: null, id: null, message: `harness bug: ${oneLine(e?.stack ?? e, 600)}` });
  })
  .finally(finish);
