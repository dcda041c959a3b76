package io.twsbridge.bridge.events;

import io.twsbridge.bridge.time.EventLoop;

import java.time.Duration;

/**
 * Schedules work on the session's event loop. The mapper hands its parts a scheduler that counts and logs a
 * failing task as an unmappable message, the same as a failing message.
 */
@FunctionalInterface
interface Timers {

    EventLoop.Timer schedule(Duration delay, Runnable task);
}
