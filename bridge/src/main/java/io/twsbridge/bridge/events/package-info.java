/**
 * From the Gateway session's decoded messages to the Avro event records of the published topics.
 *
 * <p>{@link io.twsbridge.bridge.events.EventMapper} listens to the session and hands records to an
 * {@link io.twsbridge.bridge.events.EventSink} (the Kafka publisher in the bridge). Pure logic, no Kafka, no
 * threads of its own: everything runs on the session's event loop, timers included.
 */
package io.twsbridge.bridge.events;
