package io.twsbridge.bridge.cli;

import io.twsbridge.schema.Command;
import io.twsbridge.schema.RequestExecutions;
import io.twsbridge.schema.catalogue.DlqHeaders;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** What `bridge resend` decides without Kafka: options refused before it connects, the headers it writes, its JSON. */
class ResendCommandTest {

    /** Nothing listens on port 1: had the command tried to connect, it would fail with a connection error instead. */
    private static final String[] NOWHERE = {"--bootstrap-server", "127.0.0.1:1", "--registry-url", "http://127.0.0.1:1"};

    @Test
    void aSetWithoutAnEqualsSignIsRefusedBeforeAnythingIsRead() {
        Result r = run("--topic", "ib.commands.dlq", "--partition", "0", "--offset", "3", "--set", "payload.quantity");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err.strip()).isEqualTo("--set takes PATH=VALUE (payload.quantity=10) but was 'payload.quantity'");
    }

    @Test
    void setAndFileDoNotGoTogether(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fixed.json");
        Files.writeString(file, "{}");
        Result r = run("--topic", "ib.commands.dlq", "--partition", "0", "--offset", "3", "--set", "account=DU1",
                "--file", file.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err.strip()).isEqualTo("--set and --file do not go together: fix the fields in the file");
    }

    @Test
    void aFileThatIsNoCommandIsRefusedBeforeAnythingIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("fixed.json");
        Files.writeString(file, "{\"commandId\": \"c-1\"");
        Result r = run("--topic", "ib.commands.dlq", "--partition", "0", "--offset", "3", "--file", file.toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).startsWith("not a valid command in " + file + ", nothing sent: ");
        assertThat(r.err.lines()).hasSize(1);
    }

    @Test
    void theOffsetIsRequired() {
        Result r = run("--topic", "ib.commands.dlq", "--partition", "0");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("Missing required option: '--offset=<offset>'");
    }

    @Test
    void theResentRecordLosesTheDeadLetterHeadersKeepsItsOwnAndSaysWhereItCameFrom() {
        Headers original = new RecordHeaders();
        original.add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        for (String dlq : DlqHeaders.ALL) {
            original.add(dlq, "x".getBytes(StandardCharsets.UTF_8));
        }
        original.add(ResendCommand.RESENT_FROM, "ib.commands.dlq-1@0".getBytes(StandardCharsets.UTF_8));
        original.add("binary", new byte[] {(byte) 0xff, 0});
        Headers resent = ResendCommand.resentHeaders(original, "ib.commands.dlq-0@7");
        List<Header> all = StreamSupport.stream(resent.spliterator(), false).toList();
        assertThat(all).extracting(Header::key).containsExactly("traceparent", "binary", ResendCommand.RESENT_FROM);
        assertThat(resent.lastHeader("binary").value()).containsExactly((byte) 0xff, 0);
        assertThat(new String(resent.lastHeader(ResendCommand.RESENT_FROM).value(), StandardCharsets.UTF_8))
                .isEqualTo("ib.commands.dlq-0@7");
    }

    @Test
    void theJsonOfADryRunIsWhatFileAndSendTake() {
        Command c = Command.newBuilder().setCommandId("c-9").setIssuedAt(Instant.parse("2026-12-07T12:00:00Z"))
                .setIssuedBy("ops").setPayload(RequestExecutions.newBuilder().setSymbol("AAPL").build()).build();
        assertThat(SendCommand.parse(ResendCommand.json(c))).isEqualTo(c);
    }

    private record Result(int exit, String err) {
    }

    private static Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("resend"));
        all.addAll(List.of(args));
        if (!all.contains("--bootstrap-server")) {
            all.addAll(List.of(NOWHERE));
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new BridgeCommand()).execute(all.toArray(String[]::new));
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
