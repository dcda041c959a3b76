/**
 * What a command came to: {@code CommandOutcome} and {@code Rejection}. Below both the command handling and the order
 * service, which each produce them, so that neither needs the other's package to say how a command ended.
 */
package io.twsbridge.bridge.results;
