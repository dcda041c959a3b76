package io.twsbridge.bridge.gateway;

import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import io.twsbridge.protocol.message.Contract;

import java.time.Clock;

/** A bridge process for {@link SigtermIT}: connects, subscribes, prints READY, and waits for a signal. */
public final class ShutdownHookMain {

    private ShutdownHookMain() {
    }

    public static void main(String[] args) throws Exception {
        GatewayConfig config = GatewayConfig.builder().port(Integer.parseInt(args[0])).clientId(23).build();
        GatewayService service = new GatewayService(config, ZombieProbe.disabled(), Clock.systemUTC());
        service.registerShutdownHook();
        service.session().subscribeMarketData(Contract.stock("AAPL", "SMART", "USD"));
        service.session().addListener(new io.twsbridge.bridge.gateway.session.SessionListener() {
            @Override
            public void onStateChange(io.twsbridge.bridge.gateway.session.SessionStateChange change) {
                if (change.to() == io.twsbridge.bridge.gateway.session.SessionState.READY) {
                    System.out.println("READY");
                    System.out.flush();
                }
            }
        });
        service.start();
        new java.util.concurrent.CountDownLatch(1).await();
    }
}
