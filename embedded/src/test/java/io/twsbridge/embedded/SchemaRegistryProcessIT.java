package io.twsbridge.embedded;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A durable registry is an outage away from its old self: same port, same schemas, same ids. */
class SchemaRegistryProcessIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void aDurableRegistryComesBackOnItsPortWithItsSchemasAndIds() throws Exception {
        try (SchemaRegistryProcess registry = SchemaRegistryProcess.startDurable(SchemaRegistryProcess.locateJar(),
                Duration.ofSeconds(90))) {
            String base = registry.confluentApiUrl();
            String first = call("POST", base + "/subjects/outage-value/versions", "{\"schema\":\"\\\"string\\\"\"}");
            int port = registry.port();

            registry.stop();
            assertThat(registry.isAlive()).isFalse();
            assertThatThrownBy(() -> call("GET", base + "/subjects", null)).isInstanceOf(java.io.IOException.class);
            registry.restart(Duration.ofSeconds(90));

            assertThat(registry.port()).isEqualTo(port);
            assertThat(call("GET", base + "/subjects", null)).isEqualTo("[\"outage-value\"]");
            assertThat(call("POST", base + "/subjects/outage-value", "{\"schema\":\"\\\"string\\\"\"}"))
                    .contains(first.replace("{", "").replace("}", ""));
            String next = call("POST", base + "/subjects/another-value/versions", "{\"schema\":\"\\\"int\\\"\"}");
            assertThat(next).as("ids go on from where they were").isNotEqualTo(first);
        }
    }

    private static String call(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, url, r.body()).isEqualTo(200);
        return r.body();
    }
}
