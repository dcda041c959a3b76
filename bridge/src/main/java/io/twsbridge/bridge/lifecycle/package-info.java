/**
 * How the bridge's parts stop: {@link io.twsbridge.bridge.lifecycle.CloseStack} closes what was opened, the last
 * opened first, and a part that fails to close stops none of the others from closing. Knows no other package of
 * the bridge, so that every one of them may use it.
 */
package io.twsbridge.bridge.lifecycle;
