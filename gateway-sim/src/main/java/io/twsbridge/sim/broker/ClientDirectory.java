package io.twsbridge.sim.broker;

import io.twsbridge.sim.net.ClientConnection;

import java.util.Optional;

/** Finds the live connection of an API client, so order events reach the client that owns the order. */
@FunctionalInterface
public interface ClientDirectory {

    Optional<ClientConnection> activeClient(int clientId);
}
