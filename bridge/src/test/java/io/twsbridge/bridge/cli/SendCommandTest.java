package io.twsbridge.bridge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** `bridge send` refuses malformed input with a clear message before it connects anywhere. */
class SendCommandTest {

    @Test
    void malformedJsonIsRefusedAndNothingIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"commandId\": \"c-1\", \"issuedAt\": \"yesterday\"");
        // Nothing listens on port 1: had the command tried to send, it would fail with a connection error instead.
        Result r = run("send", "--file", file.toString(), "--bootstrap-server", "127.0.0.1:1", "--registry-url",
                "http://127.0.0.1:1");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("not a valid command, nothing sent");
    }

    @Test
    void aCommandTheBridgeWouldRejectIsNotSentEither(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("blank-symbol.json");
        Files.writeString(file, """
                {"commandId": "c-2", "issuedAt": 1795853140000, "expiresAt": null, "account": null, "issuedBy": null,
                 "payload": {"io.twsbridge.schema.SubscribeQuotes": {"instrument": {"symbol": "", "secType": "STK",
                   "exchange": "SMART", "currency": "USD", "primaryExchange": null, "conId": null,
                   "lastTradeDateOrContractMonth": null, "strike": null, "right": null, "multiplier": null,
                   "localSymbol": null, "tradingClass": null}}}}
                """);
        Result r = run("send", "--file", file.toString(), "--bootstrap-server", "127.0.0.1:1");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("the bridge would reject this command").contains("instrument.symbol");
    }

    @Test
    void aWellFormedCommandParses() {
        String json = """
                {"commandId": "c-3", "issuedAt": 1795853140000, "expiresAt": null, "account": null, "issuedBy": null,
                 "payload": {"io.twsbridge.schema.RequestPositions": {}}}
                """;
        assertThat(SendCommand.parse(json).getCommandId()).isEqualTo("c-3");
    }

    private record Result(int exit, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new BridgeCommand()).execute(args);
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
