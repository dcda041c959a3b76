/**
 * Contract qualification: asking IB which contracts a description matches ({@link
 * io.twsbridge.bridge.contracts.ContractLookup}, reqContractDetails), a bounded cache of what was resolved
 * ({@link io.twsbridge.bridge.contracts.ContractCache}) and the rules a command's instrument is qualified by
 * ({@link io.twsbridge.bridge.contracts.ContractResolver}): exactly one match, or a clear refusal naming the
 * candidates.
 */
package io.twsbridge.bridge.contracts;
