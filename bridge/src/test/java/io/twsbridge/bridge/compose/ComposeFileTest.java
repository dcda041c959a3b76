package io.twsbridge.bridge.compose;

import com.fasterxml.jackson.databind.JsonNode;
import io.twsbridge.bridge.app.config.ConfigException;
import io.twsbridge.bridge.app.config.ConfigLoader;
import io.twsbridge.bridge.app.config.LoadedConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.twsbridge.bridge.compose.RepositoryFiles.fields;
import static io.twsbridge.bridge.compose.RepositoryFiles.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of compose/docker-compose.yml without a Docker engine: images pinned, every referenced file
 * present, every variable documented in .env.example, dependencies and health checks consistent, the simulator
 * profile a true replacement of IB Gateway, and the bridge wired to the services (paper trading, orders off).
 */
class ComposeFileTest {

    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}}, {@code ${NAME:?error}}, ... */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}");
    /** A {@code $NAME} without braces (and not the {@code $$} escape). */
    private static final Pattern BARE_VARIABLE = Pattern.compile("(?<!\\$)\\$[A-Za-z_]");
    private static final Pattern ENV_LINE = Pattern.compile("^([A-Za-z_][A-Za-z0-9_]*)=(.*)$");
    private static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");

    private static Path composeDir;
    private static String composeText;
    private static JsonNode compose;
    private static JsonNode services;
    private static Map<String, String> envExample;

    @BeforeAll
    static void load() throws IOException {
        composeDir = RepositoryFiles.path("compose");
        Path file = composeDir.resolve("docker-compose.yml");
        composeText = RepositoryFiles.read(file);
        compose = RepositoryFiles.yaml(file);
        services = compose.path("services");
        envExample = new LinkedHashMap<>();
        for (String line : Files.readAllLines(composeDir.resolve(".env.example"))) {
            Matcher m = ENV_LINE.matcher(line.strip());
            if (m.matches()) {
                envExample.put(m.group(1), unquote(m.group(2).strip()));
            }
        }
    }

    @Test
    void definesTheProductionServicesAndTheSimulator() {
        assertThat(services.isObject()).as("services").isTrue();
        assertThat(fields(services)).extracting(Map.Entry::getKey)
                .contains("kafka", "schema-registry", "ib-gateway", "sim", "bridge");
    }

    @Test
    void everyServiceHasAPinnedImageOrIsBuiltFromThisRepository() {
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            String name = service.getKey();
            JsonNode s = service.getValue();
            JsonNode build = s.path("build");
            if (build.isMissingNode()) {
                assertThat(s.path("image").isTextual()).as("service %s has neither image nor build", name).isTrue();
                assertPinned(s.path("image").asText(), "image of service " + name);
                continue;
            }
            Path context = composeDir.resolve(build.isTextual() ? build.asText() : build.path("context").asText(".")).normalize();
            assertThat(context).as("build context of %s", name).isDirectory();
            Path dockerfile = context.resolve(build.path("dockerfile").asText("Dockerfile")).normalize();
            assertThat(dockerfile).as("Dockerfile of %s", name).isRegularFile();
            Dockerfile df = Dockerfile.parse(dockerfile);
            for (String from : df.baseImages()) {
                assertPinned(from, "FROM in " + dockerfile);
            }
            if (build.has("target")) {
                assertThat(df.stages()).as("stages of %s (target of %s)", dockerfile, name).contains(build.path("target").asText());
            }
            for (String source : df.copySources()) {
                assertThat(context.resolve(source)).as("COPY source %s in %s, relative to the context %s", source, dockerfile, context)
                        .exists();
            }
        }
    }

    @Test
    void everyReferencedFileExistsRelativeToTheComposeDirectory() {
        Set<String> declaredVolumes = new TreeSet<>();
        fields(compose.path("volumes")).forEach(e -> declaredVolumes.add(e.getKey()));
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            String name = service.getKey();
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.isTextual() ? volume.asText().split(":", 2)[0] : volume.path("source").asText();
                boolean bind = volume.isTextual() ? source.startsWith(".") || source.startsWith("/") || source.startsWith("~")
                        : "bind".equals(volume.path("type").asText());
                if (bind) {
                    assertThat(source).as("bind mount of %s must be relative to compose/", name).doesNotStartWith("/").doesNotStartWith("~");
                    assertThat(composeDir.resolve(source).normalize()).as("bind mount %s of %s", source, name).exists();
                } else {
                    assertThat(declaredVolumes).as("named volume %s of %s must be declared under volumes:", source, name)
                            .contains(source);
                }
            }
            JsonNode envFile = service.getValue().path("env_file");
            List<JsonNode> envFiles = new ArrayList<>();
            if (envFile.isArray()) {
                envFile.forEach(envFiles::add);
            } else if (!envFile.isMissingNode()) {
                envFiles.add(envFile);
            }
            for (JsonNode f : envFiles) {
                boolean required = !f.isObject() || f.path("required").asBoolean(true);
                String path = f.isObject() ? f.path("path").asText() : f.asText();
                if (required) {
                    assertThat(composeDir.resolve(path).normalize()).as("env_file %s of %s", path, name).isRegularFile();
                }
            }
        }
        assertThat(composeDir.resolve("bridge.properties")).isRegularFile();
        assertThat(composeDir.resolve("README.md")).isRegularFile();
    }

    @Test
    void everyVariableIsDocumentedInEnvExampleAndEveryDocumentedOneIsUsed() {
        Set<String> used = new TreeSet<>();
        Matcher m = VARIABLE.matcher(composeText);
        while (m.find()) {
            used.add(m.group(1));
        }
        String withoutBraced = VARIABLE.matcher(composeText).replaceAll("");
        assertThat(withoutBraced.lines().filter(l -> !l.stripLeading().startsWith("#"))
                .filter(l -> BARE_VARIABLE.matcher(l).find()))
                .as("variables are written ${NAME} (or escaped as $$)").isEmpty();

        assertThat(envExample.keySet()).as("variables used in docker-compose.yml but missing from .env.example")
                .containsAll(used);
        Set<String> unused = new TreeSet<>(envExample.keySet());
        unused.removeAll(used);
        unused.remove("COMPOSE_PROFILES"); // read by Compose itself
        unused.remove("COMPOSE_PROJECT_NAME");
        assertThat(unused).as("variables in .env.example that docker-compose.yml never uses").isEmpty();
    }

    @Test
    void envExampleHoldsNoSecretsAndTheDefaultsOfTheComposeFile() {
        assertThat(envExample.get("TWS_USERID")).isEmpty();
        assertThat(envExample.get("TWS_PASSWORD")).isEmpty();
        assertThat(envExample.get("TWS_PASSWORD_FILE")).isEmpty();
        assertThat(envExample.get("VNC_SERVER_PASSWORD")).isEmpty();
        // Where the compose file has a default, .env.example shows the same one.
        Matcher m = VARIABLE.matcher(composeText);
        while (m.find()) {
            if (":-".equals(m.group(2))) {
                assertThat(envExample.get(m.group(1))).as("default of %s", m.group(1)).isEqualTo(m.group(3));
            }
        }
        // compose/.env holds the credentials: never committed, never in an image's build context.
        assertThat(RepositoryFiles.read(composeDir.resolve(".gitignore")).lines()).contains(".env");
        assertThat(RepositoryFiles.read(composeDir.resolve("Dockerfile.dockerignore")).lines()).contains("compose/.env");
    }

    @Test
    void dependenciesNameDefinedServicesAndHealthChecksExistWhereTheyAreAwaited() {
        Set<String> names = new LinkedHashSet<>();
        fields(services).forEach(e -> names.add(e.getKey()));
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            JsonNode dependsOn = service.getValue().path("depends_on");
            Map<String, String> deps = new LinkedHashMap<>();
            if (dependsOn.isArray()) {
                dependsOn.forEach(d -> deps.put(d.asText(), "service_started"));
            } else {
                fields(dependsOn).forEach(e -> deps.put(e.getKey(), e.getValue().path("condition").asText("service_started")));
            }
            for (Map.Entry<String, String> dep : deps.entrySet()) {
                assertThat(names).as("%s depends on an undefined service", service.getKey()).contains(dep.getKey());
                assertThat(CONDITIONS).as("condition of %s -> %s", service.getKey(), dep.getKey()).contains(dep.getValue());
                if (dep.getValue().equals("service_healthy")) {
                    assertThat(healthcheck(dep.getKey())).as("%s waits for %s to be healthy", service.getKey(), dep.getKey())
                            .isNotEmpty();
                }
            }
        }
        for (String name : List.of("kafka", "schema-registry", "bridge", "sim")) {
            assertThat(healthcheck(name)).as("health check of %s", name).isNotEmpty();
        }
        assertThat(healthcheck("bridge")).contains("/health/ready");
        assertThat(healthcheck("sim")).contains("/state");
        JsonNode bridgeDeps = services.path("bridge").path("depends_on");
        assertThat(bridgeDeps.path("kafka").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(bridgeDeps.path("schema-registry").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(services.path("schema-registry").path("depends_on").path("kafka").path("condition").asText())
                .isEqualTo("service_healthy");
    }

    @Test
    void theSimProfileReplacesIbGateway() {
        List<String> gatewayProfiles = texts(services.path("ib-gateway").path("profiles"));
        List<String> simProfiles = texts(services.path("sim").path("profiles"));
        assertThat(simProfiles).containsExactly("sim");
        assertThat(gatewayProfiles).isNotEmpty().doesNotContain("sim");
        // Everything else always runs.
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            if (!service.getKey().equals("ib-gateway") && !service.getKey().equals("sim")) {
                assertThat(service.getValue().has("profiles")).as("profiles of %s", service.getKey()).isFalse();
            }
        }
        // The real Gateway by default.
        assertThat(envExample.get("COMPOSE_PROFILES")).isEqualTo(String.join(",", gatewayProfiles));
        // Both answer to the name the bridge dials, on the port it dials.
        String host = environment("bridge").get("BRIDGE_GATEWAY_HOST");
        String port = environment("bridge").get("BRIDGE_GATEWAY_PORT");
        assertThat(texts(services.path("ib-gateway").path("networks").path("default").path("aliases"))).contains(host);
        assertThat(texts(services.path("sim").path("networks").path("default").path("aliases"))).contains(host);
        List<String> simCommand = texts(services.path("sim").path("command"));
        assertThat(simCommand).containsSequence("--port", port);
        assertThat(simCommand).containsSequence("--host", "0.0.0.0");
        String adminPort = simCommand.get(simCommand.indexOf("--admin-port") + 1);
        assertThat(healthcheck("sim")).contains("localhost:" + adminPort + "/state");
        assertThat(texts(services.path("ib-gateway").path("ports"))).anyMatch(p -> p.endsWith(":" + port));
        // The bridge waits for neither: either may be the one that runs.
        assertThat(fields(services.path("bridge").path("depends_on"))).extracting(Map.Entry::getKey)
                .doesNotContain("ib-gateway", "sim");
        // The simulator is built from this repository.
        assertThat(services.path("sim").path("build").path("target").asText()).isEqualTo("gateway-sim");
    }

    @Test
    void theBridgeIsWiredToTheServices() throws IOException {
        Map<String, String> env = environment("bridge");
        URI kafka = URI.create("kafka://" + env.get("BRIDGE_KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(services.has(kafka.getHost())).as("Kafka host %s is a service", kafka.getHost()).isTrue();
        assertThat(environment(kafka.getHost()).get("KAFKA_ADVERTISED_LISTENERS"))
                .contains("://" + kafka.getHost() + ":" + kafka.getPort());
        URI registry = URI.create(env.get("BRIDGE_REGISTRY_URL"));
        assertThat(services.has(registry.getHost())).as("registry host %s is a service", registry.getHost()).isTrue();
        assertThat(environment(registry.getHost()).get("SCHEMA_REGISTRY_LISTENERS")).endsWith(":" + registry.getPort());
        // The check probes the port the bridge uses (as /dev/tcp/host/PORT: the images have no curl).
        assertThat(healthcheck(registry.getHost())).containsPattern("[:/]" + registry.getPort() + "\\b");

        String httpPort = env.get("BRIDGE_HTTP_PORT");
        assertThat(env.get("BRIDGE_HTTP_HOST")).isEqualTo("0.0.0.0");
        assertThat(healthcheck("bridge")).contains("localhost:" + httpPort + "/health/ready");
        assertThat(texts(services.path("bridge").path("ports"))).anyMatch(p -> p.endsWith(":" + httpPort));

        // The configuration file the bridge is started with is the one mounted.
        List<String> command = texts(services.path("bridge").path("command"));
        assertThat(command).first().isEqualTo("run");
        int config = command.indexOf("--config");
        assertThat(config).isPositive();
        String configPath = command.get(config + 1);
        assertThat(texts(services.path("bridge").path("volumes"))).contains("./bridge.properties:" + configPath + ":ro");

        Properties properties = bridgeProperties();
        assertThat(properties.getProperty("gateway.host")).isEqualTo(env.get("BRIDGE_GATEWAY_HOST"));
        assertThat(properties.getProperty("kafka.bootstrap.servers")).isEqualTo(env.get("BRIDGE_KAFKA_BOOTSTRAP_SERVERS"));
        assertThat(properties.getProperty("registry.url")).isEqualTo(env.get("BRIDGE_REGISTRY_URL"));
        assertThat(properties.getProperty("http.port")).isEqualTo(httpPort);
    }

    @Test
    void theBridgeStartsWithTheMountedFileAndTheComposeEnvironment() throws ConfigException {
        // The variables as the container gets them with the defaults of .env.example; only BRIDGE_* are settings.
        Map<String, String> env = new LinkedHashMap<>();
        environment("bridge").forEach((k, v) -> env.put(k, VARIABLE.matcher(v).replaceAll(r -> Matcher.quoteReplacement(
                envExample.getOrDefault(r.group(1), r.group(3) == null ? "" : r.group(3))))));
        LoadedConfig config = new ConfigLoader(env).load(composeDir.resolve("bridge.properties"));
        assertThat(config.warnings()).as("BRIDGE_* variables that name no setting").isEmpty();
        Map<String, String> settings = config.settings();
        assertThat(settings).containsEntry("gateway.host", "gateway")
                .containsEntry("gateway.port", envExample.get("GATEWAY_API_PORT"))
                .containsEntry("gateway.zombie-probe", "off")
                .containsEntry("kafka.bootstrap.servers", "kafka:9092")
                .containsEntry("registry.url", "http://schema-registry:8081")
                .containsEntry("http.host", "0.0.0.0")
                .containsEntry("http.port", "8080")
                .containsEntry("orders.enabled", "false")
                .containsEntry("bridge.id", envExample.get("BRIDGE_ID"));
        assertThat(config.http().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void paperTradingOrdersOffAndPortsOnLoopbackByDefault() throws IOException {
        assertThat(environment("ib-gateway").get("TRADING_MODE")).isEqualTo("${TRADING_MODE:-paper}");
        assertThat(envExample.get("TRADING_MODE")).isEqualTo("paper");
        // 4004: the ib-gateway image's relay to the paper API port (4003 relays the live one).
        assertThat(envExample.get("GATEWAY_API_PORT")).isEqualTo("4004");
        assertThat(environment("bridge").get("BRIDGE_ORDERS_ENABLED")).isEqualTo("${BRIDGE_ORDERS_ENABLED:-false}");
        assertThat(bridgeProperties().getProperty("orders.enabled")).isEqualTo("false");
        for (Map.Entry<String, JsonNode> service : fields(services)) {
            for (String port : texts(service.getValue().path("ports"))) {
                assertThat(port).as("published port of %s", service.getKey()).startsWith("127.0.0.1:");
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    @Test
    void theRegistrysHealthCheckNeedsNoCurlAndTellsAnAnsweringRegistryFromAFailingOne() throws Exception {
        // Confluent's images ship bash but not curl. The check itself, run here against a stand-in on another port.
        List<String> test = texts(services.path("schema-registry").path("healthcheck").path("test"));
        assertThat(test).first().isEqualTo("CMD");
        assertThat(String.join(" ", test)).doesNotContain("curl").doesNotContain("wget");
        for (int status : new int[] {200, 500}) {
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/subjects", exchange -> {
                byte[] body = "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            try {
                List<String> command = test.subList(1, test.size()).stream()
                        .map(part -> part.replace("/8081", "/" + server.getAddress().getPort())).toList();
                Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
                assertThat(check.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(check.exitValue()).as("the check against a registry answering %d", status)
                        .isEqualTo(status == 200 ? 0 : 1);
            } finally {
                server.stop(0);
            }
        }
    }

    private static String healthcheck(String service) {
        return String.join(" ", texts(services.path(service).path("healthcheck").path("test")));
    }

    private static Map<String, String> environment(String service) {
        JsonNode env = services.path(service).path("environment");
        Map<String, String> out = new LinkedHashMap<>();
        if (env.isArray()) {
            env.forEach(e -> {
                String[] kv = e.asText().split("=", 2);
                out.put(kv[0], kv.length > 1 ? kv[1] : "");
            });
        } else {
            fields(env).forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    private static Properties bridgeProperties() throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(RepositoryFiles.read(composeDir.resolve("bridge.properties"))));
        return p;
    }

    /** An image reference with an explicit tag (or digest) other than {@code latest}, and no variable in it. */
    private static void assertPinned(String image, String what) {
        assertThat(image).as(what).doesNotContain("$");
        String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        String lastPart = withoutDigest.substring(withoutDigest.lastIndexOf('/') + 1);
        boolean hasDigest = image.contains("@sha256:");
        assertThat(lastPart.contains(":") || hasDigest).as("%s: %s has no tag", what, image).isTrue();
        if (lastPart.contains(":")) {
            assertThat(lastPart.substring(lastPart.indexOf(':') + 1)).as("%s: tag of %s", what, image)
                    .isNotBlank().isNotEqualToIgnoringCase("latest");
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** The little of a Dockerfile this test reads: stages, base images, and the sources of COPY from the context. */
    record Dockerfile(List<String> stages, List<String> baseImages, List<String> copySources) {

        private static final Pattern FROM = Pattern.compile("(?i)^FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*$");
        private static final Pattern COPY = Pattern.compile("(?i)^(?:COPY|ADD)\\s+(.*)$");

        static Dockerfile parse(Path file) {
            List<String> stages = new ArrayList<>();
            List<String> images = new ArrayList<>();
            List<String> sources = new ArrayList<>();
            List<String> lines = joinContinuations(RepositoryFiles.read(file));
            for (String line : lines) {
                Matcher from = FROM.matcher(line);
                if (from.matches()) {
                    String image = from.group(1);
                    if (!stages.contains(image) && !image.equalsIgnoreCase("scratch")) {
                        images.add(image);
                    }
                    if (from.group(2) != null) {
                        stages.add(from.group(2));
                    }
                    continue;
                }
                Matcher copy = COPY.matcher(line);
                if (copy.matches()) {
                    List<String> words = new ArrayList<>(List.of(copy.group(1).trim().split("\\s+")));
                    if (words.stream().anyMatch(w -> w.startsWith("--from="))) {
                        continue;
                    }
                    words.removeIf(w -> w.startsWith("--"));
                    sources.addAll(words.subList(0, words.size() - 1)); // the last word is the destination
                }
            }
            return new Dockerfile(stages, images, sources);
        }

        private static List<String> joinContinuations(String text) {
            List<String> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String raw : text.split("\n")) {
                String line = raw.strip();
                if (line.startsWith("#") || line.isEmpty() && current.length() == 0) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    current.append(line, 0, line.length() - 1).append(' ');
                } else {
                    current.append(line);
                    out.add(current.toString().strip());
                    current.setLength(0);
                }
            }
            return out;
        }
    }
}
