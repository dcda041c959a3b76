package io.twsbridge.sim.net;

import io.twsbridge.protocol.codec.ServerMessageCodec;
import io.twsbridge.protocol.wire.Handshake;

/**
 * Known client libraries that read a message differently from IB's own client, recognised by the version
 * range in their hello, so that every client gets a layout it decodes.
 *
 * <p>Only one is known: @stoqey/ib 1.6.10 (hello {@code v100..193}) never reads faProfile in completedOrder,
 * where IB's client and ib_async read it below server version 177. No single completedOrder satisfies both
 * below 177, so the simulator serves each its own.
 */
final class ClientQuirks {

    private static final int STOQEY_MIN = 100;
    private static final int STOQEY_MAX = 193;

    private ClientQuirks() {
    }

    static ServerMessageCodec codecFor(Handshake.ClientHello hello, int serverVersion) {
        ServerMessageCodec codec = new ServerMessageCodec(serverVersion);
        if (hello.minVersion() == STOQEY_MIN && hello.maxVersion() == STOQEY_MAX) {
            return codec.withoutCompletedOrderFaProfile();
        }
        return codec;
    }
}
