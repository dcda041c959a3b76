package io.twsbridge.bridge.commands;

/**
 * Text from a command made safe to repeat in a log line or a result message: control characters are escaped (a
 * newline in a commandId must not forge a second log line) and the length is capped (a 1 MB field must not become
 * a 1 MB log line or a result Kafka refuses).
 */
public final class Printable {

    private Printable() {
    }

    /** {@code s} with control characters as {@code \\uXXXX}, cut after {@code max} characters; "null" for null. */
    public static String of(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 16);
        int i = 0;
        for (; i < s.length() && out.length() < max; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < s.length()) {
            out.append("...(").append(s.length()).append(" characters)");
        }
        return out.toString();
    }

    /** Whether {@code s} has a control character (NUL, newline, ...): none may reach the Gateway or a log line. */
    static boolean hasControlCharacter(String s) {
        return s.chars().anyMatch(c -> Character.isISOControl(c));
    }
}
