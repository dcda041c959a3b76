/** Test support shared by the bridge's tests: log capture and process gauges for leak and "nothing broke" checks. */
package io.twsbridge.bridge.testing;
