package io.twsbridge.bridge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bridge} command line: {@code java -jar bridge.jar <command>}. */
@Command(name = "bridge", mixinStandardHelpOptions = true, version = "tws-kafka-bridge 0.1.0",
        description = "Connects IB Gateway to Apache Kafka through one persistent TWS API session.",
        subcommands = {RunCommand.class, ConfigCommand.class, SendCommand.class, ResendCommand.class,
                ReplayCommand.class, CheckZombiesCommand.class, TopicsCommand.class, DemoCommand.class})
public final class BridgeCommand implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BridgeCommand()).execute(args));
    }
}
