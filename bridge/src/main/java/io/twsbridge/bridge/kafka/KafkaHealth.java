package io.twsbridge.bridge.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the Kafka cluster answers, checked in the background (describeCluster every few seconds), so that
 * readiness and the status can say "Kafka unreachable" while the producer quietly buffers.
 */
public final class KafkaHealth implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaHealth.class);

    private final Admin admin;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    private volatile boolean reachable = true;

    public KafkaHealth(Admin admin, Duration interval) {
        this.admin = admin;
        this.interval = interval;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-health");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean reachable() {
        return reachable;
    }

    private void check() {
        boolean ok;
        try {
            ok = !admin.describeCluster().nodes().get(interval.toMillis() * 2, TimeUnit.MILLISECONDS).isEmpty();
        } catch (Exception e) {
            ok = false;
        }
        if (ok != reachable) {
            if (ok) {
                log.info("Kafka is reachable again");
            } else {
                log.error("Kafka is unreachable: events are buffered in the producer, commands wait");
            }
        }
        reachable = ok;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
