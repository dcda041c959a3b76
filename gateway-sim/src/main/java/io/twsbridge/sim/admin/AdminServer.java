package io.twsbridge.sim.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.twsbridge.sim.GatewaySimulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The simulator's admin HTTP endpoint: {@code GET /state} and one {@code POST} per fault or action.
 *
 * <pre>
 * GET  /state                                        the simulator's state as JSON
 * POST /faults/handshake-delay?ms=N                  wait N ms before the server-version reply
 * POST /faults/api-delay?ms=N                        wait N ms between startApi and accounts/next id
 * POST /faults/zombie-on-disconnect?enabled=B        keep the simulator's side open when a client leaves
 * POST /faults/zombies-block-handshakes?enabled=B    accept but never answer while zombies exist
 * POST /actions/drop-all                             close every live connection now
 * POST /actions/connectivity-lost                    error 1100, market data stops
 * POST /actions/connectivity-restored?data-lost=B    error 1101 (B=true) or 1102
 * POST /actions/bust-real-time-bars                  error 10225 to every real-time bar subscription, which stops
 * POST /actions/restart?refuse-ms=N                  close everything, refuse connections for N ms
 * POST /actions/clear-zombies                        close zombie and stalled sockets
 * POST /faults/drop-after-next-place-order           once: take the next order, then drop the link unanswered
 * POST /faults/refuse-next-place-order-as-duplicate-id  once: answer the next placeOrder with error 103
 * POST /faults/reject-next-place-order?reason=TEXT     once: reject the next placeOrder with error 201 and TEXT
 * POST /actions/reject-working-order?orderRef=R&reason=TEXT  reject an accepted, working order (201, then Inactive)
 * </pre>
 * Every POST answers with the state after the change. Bad parameters get 400 with the reason.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final GatewaySimulator simulator;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AdminServer(GatewaySimulator simulator, HttpServer server, ExecutorService executor) {
        this.simulator = simulator;
        this.server = server;
        this.executor = executor;
    }

    public static AdminServer start(GatewaySimulator simulator, String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sim-admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        AdminServer admin = new AdminServer(simulator, server, executor);
        server.createContext("/", admin::handle);
        server.start();
        return admin;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            if (path.equals("/state")) {
                if (!method.equals("GET")) {
                    respond(exchange, 405, Map.of("error", "use GET " + path));
                    return;
                }
                respond(exchange, 200, simulator.state());
                return;
            }
            if (!method.equals("POST")) {
                respond(exchange, path.startsWith("/faults/") || path.startsWith("/actions/") ? 405 : 404,
                        Map.of("error", "unknown endpoint " + method + " " + path));
                return;
            }
            try {
                if (!apply(path, query)) {
                    respond(exchange, 404, Map.of("error", "unknown endpoint POST " + path));
                    return;
                }
            } catch (IllegalArgumentException e) {
                respond(exchange, 400, Map.of("error", e.getMessage()));
                return;
            }
            log.info("admin: POST {} {}", path, query);
            respond(exchange, 200, simulator.state());
        } catch (RuntimeException e) {
            log.error("admin request failed", e);
        }
    }

    private boolean apply(String path, Map<String, String> q) throws IOException {
        switch (path) {
            case "/faults/handshake-delay" -> simulator.faults().setHandshakeDelay(Duration.ofMillis(longParam(q, "ms")));
            case "/faults/api-delay" -> simulator.faults().setApiDelay(Duration.ofMillis(longParam(q, "ms")));
            case "/faults/zombie-on-disconnect" -> simulator.faults().setZombieOnDisconnect(boolParam(q, "enabled"));
            case "/faults/zombies-block-handshakes" ->
                    simulator.faults().setZombiesBlockHandshakes(boolParam(q, "enabled"));
            case "/actions/drop-all" -> simulator.dropAllConnections();
            case "/actions/connectivity-lost" -> simulator.connectivityLost();
            case "/actions/bust-real-time-bars" -> simulator.bustRealTimeBars();
            case "/actions/connectivity-restored" -> simulator.connectivityRestored(boolParam(q, "data-lost"));
            case "/actions/restart" -> simulator.restart(Duration.ofMillis(longParam(q, "refuse-ms")));
            case "/actions/clear-zombies" -> simulator.clearZombies();
            case "/faults/drop-after-next-place-order" -> simulator.faults().dropLinkAfterNextPlaceOrder();
            case "/faults/refuse-next-place-order-as-duplicate-id" -> simulator.faults().refuseNextPlaceOrderAsDuplicateId();
            case "/faults/reject-next-place-order" -> simulator.faults().rejectNextPlaceOrder(q.get("reason"));
            case "/actions/reject-working-order" -> simulator.rejectWorkingOrder(required(q, "orderRef"),
                    q.getOrDefault("reason", "rejected after acceptance"));
            default -> {
                return false;
            }
        }
        return true;
    }

    private static long longParam(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing parameter " + name);
        }
        try {
            long value = Long.parseLong(v);
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0 but was " + v);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number but was '" + v + "'", e);
        }
    }

    private static String required(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing parameter " + name);
        }
        return v;
    }

    private static boolean boolParam(Map<String, String> q, String name) {
        String v = q.get(name);
        if ("true".equalsIgnoreCase(v)) {
            return true;
        }
        if ("false".equalsIgnoreCase(v)) {
            return false;
        }
        throw new IllegalArgumentException(name + " must be true or false but was " + (v == null ? "missing" : "'" + v + "'"));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }

    private void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
