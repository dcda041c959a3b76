package io.twsbridge.bridge.failover;

import io.twsbridge.bridge.validation.SettingProblems;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Standby settings: whether this bridge runs as one of several instances that elect one active, and the times
 * that bound a failover. Immutable; {@link Builder#build()} lists every problem at once.
 *
 * @param enabled          elect one active instance among all that share this configuration
 * @param instanceId       this instance's name among them: in logs, {@code /status}, ib.status and the header
 *                         every record carries, and its static member id in the lease group; by default the
 *                         pod or host name with the process id
 * @param instanceIdGiven  whether {@code instanceId} was configured rather than derived
 * @param sessionTimeout   how long Kafka waits for an instance that has stopped answering before another may take
 *                         over: the failover time after a crash. Must lie within the brokers'
 *                         {@code group.min.session.timeout.ms} and {@code group.max.session.timeout.ms}
 * @param takeoverDelay    an extra wait between winning the election and connecting to the Gateway
 * @param commitInterval   how long the active instance's transaction stays open: the most that a consumer reading
 *                         committed records waits for an event
 * @param leaseTopic       the one-partition topic whose owner is the active instance; nothing is written to it
 */
public record FailoverSettings(boolean enabled, String instanceId, boolean instanceIdGiven, Duration sessionTimeout,
                               Duration takeoverDelay, Duration commitInterval, String leaseTopic) {

    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    public static final Duration MIN_SESSION_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration MAX_SESSION_TIMEOUT = Duration.ofMinutes(10);

    /** Standby off: the bridge runs alone, as it always has. */
    public static FailoverSettings disabled() {
        return builder().build();
    }

    /**
     * How often the leader renews its lease: a tenth of the session timeout, so that a lost renewal or two cost
     * nothing.
     */
    public Duration renewInterval() {
        return sessionTimeout.dividedBy(10);
    }

    /**
     * How long a renewal keeps the lease: three quarters of the session timeout. The coordinator keeps the
     * leader's membership for at least a session timeout after accepting a renewal (a commit restarts the
     * member's session) and for at least the rebalance timeout (also the session timeout) after a rebalance began,
     * less the heartbeat interval and a poll in which the leader may not yet know of it; the quarter left over is
     * the margin for closing the Gateway link. The argument in full is in {@code docs/failover.md}.
     */
    public Duration leaseDuration() {
        return sessionTimeout.multipliedBy(3).dividedBy(4);
    }

    /**
     * The lease group's heartbeat: as often as the renewals. A rebalance is known to the leader within a
     * heartbeat, and from then on its renewals fail, so that none is counted that the coordinator accepted
     * during a rebalance the leader did not yet know of.
     */
    public Duration heartbeatInterval() {
        return renewInterval();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The pod's name under Kubernetes (HOSTNAME), else the host's name, with the process id. */
    static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "bridge";
            }
        }
        String id = (host + "-" + ProcessHandle.current().pid()).replaceAll("[^A-Za-z0-9._-]", "_");
        return id.length() > 100 ? id.substring(id.length() - 100) : id;
    }

    public static final class Builder {
        private boolean enabled;
        private String instanceId;
        private Duration sessionTimeout = Duration.ofSeconds(10);
        private Duration takeoverDelay = Duration.ZERO;
        private Duration commitInterval = Duration.ofMillis(100);
        private String leaseTopic = "ib.leader";

        public Builder enabled(boolean v) { enabled = v; return this; }
        /** Blank: derived from the host ({@link #defaultInstanceId()}). */
        public Builder instanceId(String v) { instanceId = v == null || v.isBlank() ? null : v; return this; }
        public Builder sessionTimeout(Duration v) { sessionTimeout = v; return this; }
        public Builder takeoverDelay(Duration v) { takeoverDelay = v; return this; }
        public Builder commitInterval(Duration v) { commitInterval = v; return this; }
        public Builder leaseTopic(String v) { leaseTopic = v; return this; }

        public FailoverSettings build() {
            SettingProblems problems = new SettingProblems("failover");
            String id = instanceId == null ? defaultInstanceId() : instanceId;
            if (!INSTANCE_ID.matcher(id).matches()) {
                problems.add("failover.instance-id", "must be 1 to 100 letters, digits, '.', '_' or '-' but was '" + id + "'");
            }
            if (sessionTimeout == null || sessionTimeout.compareTo(MIN_SESSION_TIMEOUT) < 0
                    || sessionTimeout.compareTo(MAX_SESSION_TIMEOUT) > 0) {
                problems.add("failover.session-timeout", "must be between " + MIN_SESSION_TIMEOUT + " and "
                        + MAX_SESSION_TIMEOUT + " but was " + sessionTimeout);
            }
            if (takeoverDelay == null || takeoverDelay.isNegative() || takeoverDelay.compareTo(Duration.ofMinutes(10)) > 0) {
                problems.add("failover.takeover-delay", "must be between 0 and 10 minutes but was " + takeoverDelay);
            }
            if (commitInterval == null || commitInterval.compareTo(Duration.ofMillis(1)) < 0
                    || commitInterval.compareTo(Duration.ofSeconds(10)) > 0) {
                problems.add("failover.commit-interval", "must be between 1 ms and 10 s but was " + commitInterval);
            }
            problems.topicName("topics.leader", leaseTopic);
            problems.throwIfAny();
            return new FailoverSettings(enabled, id, instanceId != null, sessionTimeout, takeoverDelay, commitInterval,
                    leaseTopic);
        }
    }
}
