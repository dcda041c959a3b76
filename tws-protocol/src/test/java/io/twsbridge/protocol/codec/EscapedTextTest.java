package io.twsbridge.protocol.codec;

import io.twsbridge.protocol.message.ServerMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * IB's 7-bit escapes in error texts: the rules of IB's Java client (see {@link EscapedText}), each case written
 * from the rule it checks. In the sources, {@code \\u} is one backslash and a {@code u} on the wire.
 */
class EscapedTextTest {

    @ParameterizedTest(name = "[{index}] {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "Ordre refus\\u00e9                 | Ordre refusé            | one escape, lower-case hex",
        "\\u00C9CHEC                        | ÉCHEC                   | upper-case hex",
        "\\u4e2d\\u6587                     | 中文                     | adjacent escapes",
        "\\ud83d\\ude00 ok                  | 😀 ok                   | a surrogate pair joins into one character",
        "caf\\u00e9 et caf\\u00e9           | café et café            | the same escape twice",
        "C:\\temp                           | C:\\temp                | a backslash without u stays",
        "cut \\u00e                         | cut \\u00e              | fewer than six characters left: verbatim",
        "\\u00e9 then \\uZZZZ then \\u00e8  | é then \\uZZZZ then \\u00e8 | malformed: it and what follows stay",
        "\\u00e9 \\uZZZZ \\u00e9            | é \\uZZZZ é             | every copy of an escape is replaced at once",
        "\\u005cu0041                       | A                       | a decoded backslash starts a new escape",
        "\\u+041 x                          | \\u+041 x               | a sign is not a hex digit",
        "plain ASCII                        | plain ASCII             | nothing to do",
    })
    void unescapesAsIbsClientDoes(String wire, String expected, String why) {
        assertThat(EscapedText.unescape(wire.strip())).as(why).isEqualTo(expected.strip());
    }

    @Test
    void escapesEveryNonAsciiUnitAndNothingElse() {
        assertThat(EscapedText.escape("Ordre refusé: 中 😀 C:\\temp ~"))
                .isEqualTo("Ordre refus\\u00e9: \\u4e2d \\ud83d\\ude00 C:\\temp ~");
        assertThat(EscapedText.escape("all ASCII")).isEqualTo("all ASCII");
    }

    @Test
    void escapedTextReadsBackAsItWas() {
        String text = "Échec de l'ordre – marge insuffisante (¥, €, 😀)";
        assertThat(EscapedText.unescape(EscapedText.escape(text))).isEqualTo(text);
    }

    @Test
    void anErrorFrameCarriesOnlyAsciiAndDecodesToTheTextIbMeant() {
        ServerMessageCodec codec = new ServerMessageCodec(176);
        ServerMessage.ErrorMessage sent = new ServerMessage.ErrorMessage(12, 201,
                "Order rejected - reason:Marge insuffisante – ordre refusé",
                "{\"rejectReason\":\"refusé\"}");
        byte[] frame = codec.encode(sent);
        for (int i = 4; i < frame.length; i++) {
            assertThat(frame[i] & 0xFF).as("byte %d of the frame", i).isLessThan(0x80);
        }
        String wire = new String(frame, 4, frame.length - 4, StandardCharsets.US_ASCII);
        assertThat(wire).contains("ordre refus\\u00e9").contains("\"refus\\u00e9\"}");
        assertThat(codec.decode(WireLayoutTest.payloadOf(frame))).isEqualTo(sent);
    }

    @Test
    void aMalformedEscapeInARealFrameDecodesVerbatimInsteadOfFailing() {
        byte[] payload = ("4\u00002\u000012\u0000201\u0000Order rejected - reason:d\\u00e9j\\u00e0 \\uXY12 fini\u0000"
                + "{\"a\":\"\\u00e9\"}\u0000").getBytes(StandardCharsets.US_ASCII);
        ServerMessage decoded = new ServerMessageCodec(176).decode(payload);
        assertThat(decoded).isEqualTo(new ServerMessage.ErrorMessage(12, 201,
                "Order rejected - reason:déjà \\uXY12 fini", "{\"a\":\"é\"}"));
    }
}
