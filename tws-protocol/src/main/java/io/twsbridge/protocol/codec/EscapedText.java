package io.twsbridge.protocol.codec;

/**
 * IB's 7-bit spelling of text that is not ASCII, used from server version 153 (ENCODE_MSG_ASCII7) in the error
 * message's text and, from 166, its advancedOrderRejectJson: each non-ASCII UTF-16 unit travels as a backslash,
 * {@code u} and four hex digits. IB's Java client and @stoqey/ib un-escape both fields; ib_async 2.0.1 un-escapes
 * neither (it only un-escapes contractDetails' longName, which the codec does not model).
 *
 * <p>{@link #unescape} follows IB's Java client, which decides where the two clients differ:
 * <ul>
 *   <li>It works on the first remaining backslash-u, and replaces <em>every</em> occurrence of that six-character
 *       escape at once, then looks again from the start. Hence a decoded backslash can start a new escape:
 *       <code>&#92;u005cu0041</code> reads as <code>A</code>, not as the literal text <code>&#92;u0041</code>.</li>
 *   <li>A backslash-u with fewer than six characters left is kept as it is, and so is the rest.</li>
 *   <li>A backslash-u whose four characters are not hex digits stops the un-escaping: that escape and every
 *       escape not yet replaced stay verbatim. IB's client does the same (it gives up on a number that does not
 *       parse); @stoqey/ib would put U+0000 or a prefix's value there instead, which garbles the text, so the
 *       codec does not follow it.</li>
 * </ul>
 * One deliberate difference from IB's client: only ASCII hex digits count, so a sign or a non-ASCII digit makes
 * the escape malformed (<code>&#92;u+041</code>), where IB's client lets Java's integer parser accept them by accident.
 *
 * <p>Text is never refused: a malformed escape is not a protocol error, so a Gateway's odd text cannot take the
 * link down. Stateless.
 */
final class EscapedText {

    private static final String ESCAPE = "\\u";
    private static final int ESCAPE_LENGTH = 6;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private EscapedText() {
    }

    /** The text as IB's client shows it to its user. */
    static String unescape(String text) {
        String v = text;
        while (true) {
            int at = v.indexOf(ESCAPE);
            if (at < 0 || v.length() - at < ESCAPE_LENGTH) {
                return v;
            }
            int unit = hex4(v, at + 2);
            if (unit < 0) {
                return v;
            }
            v = v.replace(v.substring(at, at + ESCAPE_LENGTH), String.valueOf((char) unit));
        }
    }

    /**
     * The text as a Gateway sends it: every UTF-16 unit above 0x7F as an escape (a character outside the Basic
     * Multilingual Plane as its two surrogates, which IB's client joins again). ASCII, backslashes included, goes
     * as it is: the protocol has no way to spell a literal backslash-u, and neither does IB's client expect one.
     */
    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch <= 0x7F) {
                if (out != null) {
                    out.append(ch);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            out.append(ESCAPE).append(HEX[(ch >> 12) & 0xF]).append(HEX[(ch >> 8) & 0xF])
                    .append(HEX[(ch >> 4) & 0xF]).append(HEX[ch & 0xF]);
        }
        return out == null ? text : out.toString();
    }

    /** The value of four hex digits from {@code from}, or -1 when any of them is not one. */
    private static int hex4(String s, int from) {
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            char c = s.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                    : -1;
            if (digit < 0) {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }
}
