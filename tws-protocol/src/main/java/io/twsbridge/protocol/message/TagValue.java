package io.twsbridge.protocol.message;

/** A tag=value pair, as used by algo parameters. */
public record TagValue(String tag, String value) {

    public TagValue {
        tag = Strings.orEmpty(tag);
        value = Strings.orEmpty(value);
    }
}
