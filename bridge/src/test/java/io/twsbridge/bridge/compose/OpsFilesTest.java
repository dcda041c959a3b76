package io.twsbridge.bridge.compose;

import com.fasterxml.jackson.databind.JsonNode;
import io.twsbridge.bridge.kafka.KafkaSettings;
import io.twsbridge.bridge.kafka.topics.TopicProvisioner;
import io.twsbridge.bridge.orders.OrderSettings;
import io.twsbridge.schema.catalogue.CleanupPolicy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.twsbridge.bridge.compose.RepositoryFiles.fields;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations files: the scripts in ops/ (strict bash, and doing what they say), the Prometheus alerting rules
 * and the Grafana dashboard (well-formed, over metrics the bridge documents), and the runbook sections that
 * explain them.
 */
class OpsFilesTest {

    /**
     * The bridge's Prometheus metrics, as docs/metrics.md lists them; read from that file when it is present, this
     * list mirrors it for checkouts without it. Histogram series (_bucket, _count, _sum, _max) follow their base name.
     */
    private static final Set<String> METRICS = Set.of(
            "tws_bridge_ready",
            "tws_bridge_session_state",
            "tws_bridge_connect_attempts_total",
            "tws_bridge_zombie_sockets",
            "tws_bridge_zombie_probe_available",
            "tws_bridge_circuit_breaker_state",
            "tws_bridge_circuit_breaker_transitions_total",
            "tws_bridge_outbound_queue_depth",
            "tws_bridge_kafka_reachable",
            "tws_bridge_events_published_total",
            "tws_bridge_publish_latency_seconds",
            "tws_bridge_publish_errors_total",
            "tws_bridge_quotes_shed_total",
            "tws_bridge_dead_letters_total",
            "tws_bridge_commands_total",
            "tws_bridge_kill_switch_engaged",
            "tws_bridge_mapper_anomalies_total");
    private static final Pattern DOCUMENTED_METRIC = Pattern.compile("\\b((?:tws_bridge|resilience4j)_[a-z0-9_]*[a-z0-9])\\b");
    private static final List<String> SCRIPTS = List.of("ops/check-zombies.sh", "ops/create-topics.sh", "ops/replay.sh",
            "ops/bench.sh", "ops/soak.sh", "ops/unanswered-connection.sh");

    // ---- scripts --------------------------------------------------------------------------------------------

    @Test
    void scriptsAreExecutableStrictBash() {
        for (String script : SCRIPTS) {
            Path file = RepositoryFiles.path(script);
            assertThat(file).as(script).isRegularFile();
            assertThat(Files.isExecutable(file)).as("%s is executable", script).isTrue();
            List<String> lines = RepositoryFiles.read(file).lines().toList();
            assertThat(lines.get(0)).as("shebang of %s", script).isEqualTo("#!/usr/bin/env bash");
            assertThat(lines).as("%s stops at the first error", script).contains("set -euo pipefail");
        }
    }

    @Test
    void createTopicsCreatesTheCatalogueWithTheBridgesSettings() {
        RepositoryFiles.Run run = RepositoryFiles.bash(RepositoryFiles.path("ops/create-topics.sh"),
                Map.of("KAFKA_TOPICS", "echo", "PARTITIONS", "5", "REPLICATION_FACTOR", "2", "BOOTSTRAP_SERVERS", "k:9092"));
        assertThat(run.exitCode()).as(run.output()).isZero();

        Pattern create = Pattern.compile("^--bootstrap-server k:9092 --create --if-not-exists --topic (\\S+) "
                + "--partitions (\\d+) --replication-factor 2 --config cleanup\\.policy=(\\S+)$");
        Map<String, String> created = new TreeMap<>();
        for (String line : run.output().lines().toList()) {
            Matcher m = create.matcher(line);
            if (m.matches()) {
                created.put(m.group(1), m.group(3) + "/" + m.group(2));
            }
        }

        // What the bridge itself creates (TopicProvisioner, plus the order journal that BridgeApp adds with one
        // partition), with 5 partitions where the bridge uses topics.partitions.
        KafkaSettings defaults = KafkaSettings.builder().build();
        Map<String, String> expected = new TreeMap<>();
        for (TopicProvisioner.Wanted w : TopicProvisioner.wanted(defaults)) {
            int partitions = w.partitions() == defaults.partitions() ? 5 : w.partitions();
            expected.put(w.name(), w.cleanupPolicy().configValue() + "/" + partitions);
        }
        expected.put(OrderSettings.defaults().journalTopic(), CleanupPolicy.COMPACT.configValue() + "/1");
        assertThat(created).isEqualTo(expected);
    }

    @Test
    void replayReadsRawBytesWithTheConsoleConsumerAndDecodesWithTheBridgeJar() {
        RepositoryFiles.Run run = RepositoryFiles.bash(RepositoryFiles.path("ops/replay.sh"),
                Map.of("CONSOLE_CONSUMER", "echo", "BOOTSTRAP_SERVERS", "k:9092"), "raw", "ib.commands.dlq", "7");
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("--bootstrap-server k:9092 --topic ib.commands.dlq --from-beginning",
                "--formatter-property print.key=true", "--formatter-property print.headers=true",
                "--formatter-property headers.separator=\t", "--max-messages 7");
        assertThat(run.output()).as("options Kafka 4.4 deprecates").doesNotContain("--property ")
                .doesNotContain("--consumer.config");

        RepositoryFiles.Run bad = RepositoryFiles.bash(RepositoryFiles.path("ops/replay.sh"), Map.of(), "sideways", "ib.fills");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(RepositoryFiles.read(RepositoryFiles.path("ops/replay.sh"))).contains("replay --topic \"$topic\"");
    }

    @Test
    void checkZombiesFindsCloseWaitSocketsOnThePort() throws Exception {
        Path script = RepositoryFiles.path("ops/check-zombies.sh");
        assertThat(RepositoryFiles.read(script)).contains("ss -tan state close-wait", "lsof", "java -jar bridge.jar check-zombies");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = String.valueOf(server.getLocalPort());
            RepositoryFiles.Run none = RepositoryFiles.bash(script, Map.of(), port);
            Assumptions.assumeTrue(none.exitCode() != 3, "neither ss nor lsof here: " + none.output());
            assertThat(none.exitCode()).as(none.output()).isZero();
            assertThat(none.output()).contains("no zombies");

            Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
            Socket accepted = server.accept();
            try {
                client.close(); // the client leaves; the accepted side stays open: CLOSE_WAIT, a zombie
                // The kernel moves the socket to CLOSE_WAIT when our FIN arrives: wait for the script to see it.
                RepositoryFiles.Run zombies = org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(100))
                        .until(() -> RepositoryFiles.bash(script, Map.of(), port), run -> run.exitCode() == 1);
                assertThat(zombies.exitCode()).as(zombies.output()).isEqualTo(1);
                assertThat(zombies.output()).contains("ZOMBIES: 1 socket(s) in CLOSE_WAIT on port " + port, "Restart IB Gateway");
            } finally {
                accepted.close();
            }
        }
        assertThat(RepositoryFiles.bash(script, Map.of(), "not-a-port").exitCode()).isEqualTo(2);
    }

    // ---- alerts and dashboard -------------------------------------------------------------------------------

    @Test
    void metricNamesAreFoundInPromQl() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, topic) "
                + "(rate(tws_bridge_publish_latency_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"))
                .containsExactly("tws_bridge_publish_latency_seconds_bucket");
        assertThat(PromQl.metricNames("max by (instance, name, state) (a_state{state=~\"open|x\"}) == 1 "
                + "or absent(b_up) unless on (instance) c offset 5m"))
                .containsExactly("a_state", "b_up", "c");
        assertThat(PromQl.isDocumented("tws_bridge_publish_latency_seconds_count", METRICS)).isTrue();
        assertThat(PromQl.isDocumented("tws_bridge_zombies", METRICS)).isFalse();
    }

    @Test
    void alertingRulesAreWellFormedAndCoverTheFailuresThatNeedSomeone() {
        JsonNode alerts = RepositoryFiles.yaml(RepositoryFiles.path("ops/prometheus/alerts.yml"));
        Map<String, JsonNode> rules = new LinkedHashMap<>();
        for (JsonNode group : alerts.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                assertThat(name).matches("[A-Z][A-Za-z0-9]+");
                assertThat(rules.put(name, rule)).as("alert %s defined twice", name).isNull();
                assertThat(rule.path("expr").asText()).as("expr of %s", name).isNotBlank();
                if (rule.has("for")) {
                    assertThat(rule.path("for").asText()).as("for of %s", name).matches("\\d+[smhdwy]");
                }
                assertThat(rule.path("labels").path("severity").asText()).as("severity of %s", name).isIn("critical", "warning");
                assertThat(rule.path("annotations").path("summary").asText()).as("summary of %s", name).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as("description of %s", name).isNotBlank();
            }
        }
        assertThat(rules).isNotEmpty();

        JsonNode breakerOpen = rule(rules, "tws_bridge_circuit_breaker_state");
        assertThat(breakerOpen.path("expr").asText()).contains("open");
        assertThat(breakerOpen.path("for").asText()).isEqualTo("5m");
        assertThat(rule(rules, "tws_bridge_zombie_sockets").path("expr").asText()).contains("> 0");
        JsonNode notReady = rule(rules, "tws_bridge_ready");
        assertThat(notReady.path("expr").asText()).contains("== 0");
        assertThat(notReady.path("for").asText()).isEqualTo("2m");
        assertThat(rule(rules, "tws_bridge_quotes_shed_total").path("expr").asText()).containsPattern("(increase|rate)\\(");
        assertThat(rule(rules, "tws_bridge_dead_letters_total").path("expr").asText()).containsPattern("(increase|rate)\\(");
    }

    @Test
    void alertsAndDashboardUseOnlyDocumentedMetrics() {
        Set<String> documented = documentedMetrics();
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode group : RepositoryFiles.yaml(RepositoryFiles.path("ops/prometheus/alerts.yml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.put("alert " + rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                expressions.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (Map.Entry<String, String> e : expressions.entrySet()) {
            Set<String> names = PromQl.metricNames(e.getValue());
            assertThat(names).as("%s reads no metric: %s", e.getKey(), e.getValue()).isNotEmpty();
            for (String name : names) {
                assertThat(PromQl.isDocumented(name, documented))
                        .as("%s uses %s, which %s does not list", e.getKey(), name, metricsSource()).isTrue();
            }
        }
    }

    @Test
    void dashboardIsAValidGrafanaDashboardOverTheBridgesMetrics() {
        JsonNode dashboard = RepositoryFiles.json(RepositoryFiles.path("ops/grafana/tws-bridge-dashboard.json"));
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("uid").asText()).matches("[A-Za-z0-9_-]{1,40}");
        assertThat(dashboard.path("schemaVersion").isInt()).isTrue();
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).contains("datasource");

        Set<Integer> ids = new HashSet<>();
        List<int[]> areas = new ArrayList<>();
        Map<String, List<String>> exprByMetric = new TreeMap<>();
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("id of panel '%s' is unique", title).isTrue();
            JsonNode pos = panel.path("gridPos");
            int[] area = {pos.path("x").asInt(), pos.path("y").asInt(), pos.path("w").asInt(), pos.path("h").asInt()};
            assertThat(area[2]).as("width of '%s'", title).isPositive();
            assertThat(area[3]).as("height of '%s'", title).isPositive();
            assertThat(area[0] + area[2]).as("'%s' fits the 24 columns", title).isLessThanOrEqualTo(24);
            for (int[] other : areas) {
                boolean overlap = area[0] < other[0] + other[2] && other[0] < area[0] + area[2]
                        && area[1] < other[1] + other[3] && other[1] < area[1] + area[3];
                assertThat(overlap).as("panel '%s' overlaps another", title).isFalse();
            }
            areas.add(area);
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(title).isNotBlank();
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets").size()).as("targets of '%s'", title).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                assertThat(refIds.add(target.path("refId").asText())).as("refIds of '%s'", title).isTrue();
                String expr = target.path("expr").asText();
                assertThat(expr).as("expr of '%s'", title).isNotBlank();
                PromQl.metricNames(expr).forEach(n -> exprByMetric.computeIfAbsent(n, k -> new ArrayList<>()).add(expr));
            }
        }
        assertThat(exprByMetric.keySet()).contains(
                "tws_bridge_session_state",
                "tws_bridge_connect_attempts_total",
                "tws_bridge_circuit_breaker_state",
                "tws_bridge_zombie_sockets",
                "tws_bridge_commands_total",
                "tws_bridge_events_published_total",
                "tws_bridge_publish_latency_seconds_bucket",
                "tws_bridge_outbound_queue_depth",
                "tws_bridge_quotes_shed_total");
        assertThat(exprByMetric.get("tws_bridge_publish_latency_seconds_bucket"))
                .anyMatch(e -> e.startsWith("histogram_quantile(0.99,"));
        assertThat(exprByMetric.get("tws_bridge_commands_total")).anyMatch(e -> e.contains("by (status)"));
        assertThat(exprByMetric.get("tws_bridge_events_published_total")).anyMatch(e -> e.contains("by (topic)"));
        assertThat(exprByMetric.get("tws_bridge_connect_attempts_total")).anyMatch(e -> e.contains("by (outcome)"));
    }

    @Test
    void runbookExplainsComposeAndEveryAlert() {
        String runbook = RepositoryFiles.read(RepositoryFiles.path("ops/runbook.md"));
        assertThat(runbook).contains("\n## Running with compose\n", "\n## Alerts\n");
        Set<String> anchors = new TreeSet<>();
        runbook.lines().filter(l -> l.startsWith("#")).forEach(l -> anchors.add(anchor(l.replaceFirst("^#+\\s*", ""))));
        String alertsSection = runbook.substring(runbook.indexOf("\n## Alerts\n"));
        for (JsonNode group : RepositoryFiles.yaml(RepositoryFiles.path("ops/prometheus/alerts.yml")).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                assertThat(alertsSection).as("the runbook's Alerts section explains %s", name).contains(name);
                String link = rule.path("annotations").path("runbook").asText();
                assertThat(link).as("runbook annotation of %s", name).startsWith("ops/runbook.md#");
                assertThat(anchors).as("anchor of %s's runbook link", name).contains(link.substring(link.indexOf('#') + 1));
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static JsonNode rule(Map<String, JsonNode> rules, String metric) {
        return rules.values().stream()
                .filter(r -> PromQl.metricNames(r.path("expr").asText()).contains(metric))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no alert reads " + metric));
    }

    private static List<JsonNode> panels() {
        JsonNode dashboard = RepositoryFiles.json(RepositoryFiles.path("ops/grafana/tws-bridge-dashboard.json"));
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add); // panels inside a collapsed row
        }
        return out;
    }

    private static Path metricsDoc() {
        return RepositoryFiles.path("docs/metrics.md");
    }

    private static String metricsSource() {
        return Files.isRegularFile(metricsDoc()) ? "docs/metrics.md" : "OpsFilesTest.METRICS (docs/metrics.md is absent)";
    }

    private static Set<String> documentedMetrics() {
        if (!Files.isRegularFile(metricsDoc())) {
            return METRICS;
        }
        Set<String> names = new TreeSet<>();
        Matcher m = DOCUMENTED_METRIC.matcher(RepositoryFiles.read(metricsDoc()));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
    private static String anchor(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
