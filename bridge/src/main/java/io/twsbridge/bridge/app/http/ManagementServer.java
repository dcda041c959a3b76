package io.twsbridge.bridge.app.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.twsbridge.bridge.gateway.supervisor.ConnectionSupervisor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The bridge's management endpoints on the JDK's HTTP server:
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>request</th><th>answer</th></tr>
 *   <tr><td>{@code GET /health/live}</td><td>200 {@code {"status":"UP"}} while the process runs</td></tr>
 *   <tr><td>{@code GET /health/ready}</td><td>200 when the Gateway session is READY and Kafka answers, else 503;
 *       the body names every unmet condition</td></tr>
 *   <tr><td>{@code GET /status}</td><td>{@link BridgeStatus} as JSON</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text format 0.0.4</td></tr>
 *   <tr><td>{@code POST /orders/kill-switch?engaged=true|false}</td><td>engages or releases the order kill
 *       switch; answers the new state</td></tr>
 *   <tr><td>{@code POST /session/reconnect}</td><td>a Gateway connection attempt now, through a held breaker:
 *       202 when it started, 409 with the reason when refused (zombie sockets, an attempt under way, connected)
 *       </td></tr>
 * </table>
 *
 * Any other path is 404, another method on a known path 405 (with {@code Allow}). No response carries a secret:
 * the server sees only {@link BridgeView} and the metrics text, never the configuration.
 *
 * <p>There is no authentication: it binds the loopback address unless configured otherwise, and says so in the
 * log (WARN) when it does not, since anyone who reaches it can release the kill switch.
 *
 * <p>Threading: requests run on a small pool of daemon threads ({@link ManagementSettings#threads()}), so a slow
 * scrape does not hold up a health probe.
 */
public final class ManagementServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
    static final String JSON = "application/json; charset=utf-8";
    /** The Prometheus text exposition format the metrics supplier must produce. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final int BACKLOG = 16;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final BridgeView view;
    private final Map<String, Route> routes = new LinkedHashMap<>();

    private record Route(String method, Handler handler) {
    }

    @FunctionalInterface
    private interface Handler {
        Response handle(HttpExchange exchange) throws IOException;
    }

    private record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Response json(int status, Map<String, ?> body) throws JsonProcessingException {
            return new Response(status, JSON, MAPPER.writeValueAsBytes(body), Map.of());
        }
    }

    private ManagementServer(ManagementSettings settings, BridgeView view, Supplier<String> metrics)
            throws IOException {
        this.view = view;
        routes.put("/health/live", new Route("GET", e -> Response.json(200, Map.of("status", "UP"))));
        routes.put("/health/ready", new Route("GET", e -> ready()));
        routes.put("/status", new Route("GET", e -> Response.json(200, view.status().toJson())));
        routes.put("/metrics", new Route("GET", e -> new Response(200, METRICS_CONTENT_TYPE,
                metrics.get().getBytes(StandardCharsets.UTF_8), Map.of())));
        routes.put("/orders/kill-switch", new Route("POST", this::killSwitch));
        routes.put("/session/reconnect", new Route("POST", this::reconnect));

        InetAddress address = InetAddress.getByName(settings.host());
        this.server = bind(new InetSocketAddress(address, settings.port()));
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "management-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        if (!address.isLoopbackAddress()) {
            log.warn("management server binds {}, not the loopback address: it has no authentication, and anyone "
                    + "who reaches it can release the order kill switch", address.getHostAddress());
        }
    }

    /**
     * Binds and starts the server.
     *
     * @param metrics the Prometheus text to serve on {@code /metrics} ({@code BridgeMetrics::scrape})
     * @throws IOException when the address cannot be bound (port in use, unknown host)
     */
    public static ManagementServer start(ManagementSettings settings, BridgeView view, Supplier<String> metrics)
            throws IOException {
        ManagementServer s = new ManagementServer(settings, view, metrics);
        s.server.start();
        log.info("management server listening on http://{}:{} (/health/live, /health/ready, /status, /metrics, "
                + "POST /orders/kill-switch, POST /session/reconnect)", s.address().getAddress().getHostAddress(),
                s.address().getPort());
        return s;
    }

    /**
     * The JDK's own {@link BindException} names neither the address nor the port, so a second bridge started with
     * the same file died with a bare "Address already in use": this one names the keys and values at fault, and
     * the ways out.
     */
    private static HttpServer bind(InetSocketAddress at) throws IOException {
        try {
            return HttpServer.create(at, BACKLOG);
        } catch (BindException e) {
            BindException named = new BindException("the management endpoint cannot listen on http.host="
                    + at.getHostString() + " http.port=" + at.getPort() + ": " + e.getMessage()
                    + " (another process holds it: another bridge with this configuration?); set http.port to a free "
                    + "port, 0 for any free port, or -1 for no management endpoint");
            named.initCause(e);
            throw named;
        }
    }

    /** The bound address; with port 0 configured, the port actually chosen. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port} of the bound address. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
    }

    /** Stops accepting at once; exchanges in progress are cut off. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- requests -----------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        try {
            drain(exchange.getRequestBody());
            send(exchange, route(exchange));
        } catch (Exception e) {
            log.warn("management request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    e);
            try {
                send(exchange, Response.json(500, Map.of("error", "internal error; see the bridge's log")));
            } catch (IOException | RuntimeException ignored) {
                // headers already sent or the client went away: nothing more to say
            }
        } finally {
            exchange.close();
        }
    }

    private Response route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Route route = routes.get(path);
        if (route == null) {
            return Response.json(404, Map.of("error", "not found", "endpoints", List.copyOf(routes.keySet())));
        }
        if (!route.method().equals(exchange.getRequestMethod())) {
            Response json = Response.json(405, Map.of("error", "method not allowed", "allowed", route.method()));
            return new Response(405, json.contentType(), json.body(), Map.of("Allow", route.method()));
        }
        return route.handler().handle(exchange);
    }

    private Response ready() throws JsonProcessingException {
        Readiness r = view.readiness();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", r.ready() ? "UP" : "DOWN");
        body.put("reasons", r.reasons());
        return Response.json(r.ready() ? 200 : 503, body);
    }

    /** 202 when an attempt started, 409 with the reason when it was refused (zombies, connected, under way). */
    private Response reconnect(HttpExchange exchange) throws JsonProcessingException {
        ConnectionSupervisor.AttemptRequest answer = view.requestAttempt();
        log.warn("connection attempt now asked over HTTP by {}: {}", exchange.getRemoteAddress(), answer.reason());
        return Response.json(answer.started() ? 202 : 409, Map.of("started", answer.started(),
                "reason", answer.reason()));
    }

    private Response killSwitch(HttpExchange exchange) throws JsonProcessingException {
        List<String> values;
        try {
            values = queryValues(exchange.getRequestURI().getRawQuery(), "engaged");
        } catch (IllegalArgumentException e) {
            values = List.of(); // malformed percent-encoding
        }
        String value = values.size() == 1 ? values.get(0).toLowerCase(Locale.ROOT) : "";
        if (!value.equals("true") && !value.equals("false")) {
            return Response.json(400, Map.of("error", "expected exactly one query parameter engaged=true or "
                    + "engaged=false"));
        }
        boolean engaged = view.setKillSwitch(Boolean.parseBoolean(value));
        log.warn("order kill switch {} over HTTP, asked by {}", engaged ? "ENGAGED: every new order is refused"
                : "released: new orders pass the guardrails again", exchange.getRemoteAddress());
        return Response.json(200, Map.of("killSwitchEngaged", engaged));
    }

    private static List<String> queryValues(String rawQuery, String name) {
        List<String> values = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                values.add(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        response.headers().forEach(exchange.getResponseHeaders()::set);
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    /** Reads and drops a request body (up to a limit), so the connection can be reused. */
    private static void drain(InputStream body) throws IOException {
        byte[] buffer = new byte[4096];
        long total = 0;
        int n;
        while (total < 64 * 1024 && (n = body.read(buffer)) > 0) {
            total += n;
        }
    }
}
