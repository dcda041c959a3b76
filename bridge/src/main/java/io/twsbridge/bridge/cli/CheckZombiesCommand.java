package io.twsbridge.bridge.cli;

import io.twsbridge.bridge.gateway.zombie.ZombieProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code bridge check-zombies --port P}: the zombie probe alone. Exit 0 when none, 1 when some, 3 when it cannot look. */
@Command(name = "check-zombies", mixinStandardHelpOptions = true,
        description = "Count sockets in CLOSE_WAIT on the Gateway's API port (on this host).")
public final class CheckZombiesCommand implements Callable<Integer> {

    @Option(names = "--host", description = "The Gateway's host, for the message; the probe looks at this host (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "The Gateway's API port (default: ${DEFAULT-VALUE}).")
    int port = 4002;

    @Override
    public Integer call() {
        ZombieProbe.Result result = ZombieProbe.forThisHost().count(port);
        if (!result.available()) {
            System.err.println("cannot look for zombies here: " + result.detail());
            return 3;
        }
        if (result.count() == 0) {
            System.out.println("no zombies: no socket in CLOSE_WAIT on port " + port);
            return 0;
        }
        System.out.println(result.count() + " zombie socket(s) in CLOSE_WAIT on port " + port + " (" + host
                + "): restart IB Gateway (log in again with 2FA) to clear them");
        return 1;
    }
}
