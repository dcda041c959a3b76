/**
 * Standby bridges: several instances with one configuration, exactly one of them active.
 *
 * <p>{@link io.twsbridge.bridge.failover.LeaderElector} makes the instances members of one consumer group on a
 * one-partition lease topic; the member assigned that partition is the leader. Its
 * {@link io.twsbridge.bridge.failover.LeaderLease} is renewed by offset commits, each of which the group
 * coordinator accepts only from a current member and which restarts the member's session; the lease runs out
 * sooner than the coordinator may hand the partition to another instance, so a leader that stops hearing from
 * Kafka stops writing to the Gateway and to Kafka before anyone else can start. The timing argument is in
 * {@code docs/failover.md}.
 *
 * <p>{@link io.twsbridge.bridge.failover.StateFollower} keeps a standby's copy of the compacted state topics (the
 * order journal, the desired subscriptions) current, so taking over reads only what is new.
 *
 * <p>{@link io.twsbridge.bridge.failover.FailoverCoordinator} is one instance's part: it stands by, takes over
 * when elected and steps down when deposed, asking the bridge it runs in, through
 * {@link io.twsbridge.bridge.failover.FailoverCoordinator.Bridge}, for what only the bridge can do.
 */
package io.twsbridge.bridge.failover;
