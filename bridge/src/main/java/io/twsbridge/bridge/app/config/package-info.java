/**
 * The bridge's configuration from a properties file and {@code BRIDGE_*} environment variables.
 *
 * <p>{@link io.twsbridge.bridge.app.config.ConfigLoader} reads, overlays and validates everything at once and
 * gives a {@link io.twsbridge.bridge.app.config.LoadedConfig}, or a
 * {@link io.twsbridge.bridge.app.config.ConfigException} that lists every problem with its key. The table of
 * settings is {@code Settings}; the reference for operators is {@code docs/configuration.md}, kept in step by
 * {@code ConfigDocsTest}.
 */
package io.twsbridge.bridge.app.config;
