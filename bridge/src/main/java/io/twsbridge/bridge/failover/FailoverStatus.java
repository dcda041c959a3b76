package io.twsbridge.bridge.failover;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A standby bridge instance's part in the election, for {@code /status}.
 *
 * @param instanceId       this instance
 * @param role             where it is
 * @param roleSince        when it got there
 * @param leaseRemainingMs how long the leader lease holds without another renewal; 0 unless leading
 * @param lastChange       why the role last changed
 * @param takeovers        how many times this instance has become active
 * @param lastTakeoverMs   how long the last takeover took, from winning the election to starting the session;
 *                         -1 before the first
 */
public record FailoverStatus(String instanceId, Role role, Instant roleSince, long leaseRemainingMs, String lastChange,
                             long takeovers, long lastTakeoverMs) {

    /** An instance's part in the election. */
    public enum Role {
        /** Waiting: following the state topics, no Gateway session, no commands. */
        STANDBY,
        /** Won the election; fencing the previous active instance, reading the state, starting the session. */
        TAKING_OVER,
        /** The one instance with the Gateway session and the commands. */
        ACTIVE,
        /** Lost the leadership; nothing more is written; the instance is restarting as a standby. */
        DEPOSED
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("instanceId", instanceId);
        json.put("role", role.name());
        json.put("roleSince", roleSince == null ? null : roleSince.toString());
        json.put("leaseRemainingMs", leaseRemainingMs);
        json.put("lastChange", lastChange);
        json.put("takeovers", takeovers);
        json.put("lastTakeoverMs", lastTakeoverMs);
        return json;
    }
}
