/**
 * Problems with settings as typed values: each names the configuration file's key it is about, so that the
 * configuration loader reports every problem of every part without reading any message text. Depends on nothing
 * else in the bridge; every settings builder may use it.
 */
package io.twsbridge.bridge.validation;
