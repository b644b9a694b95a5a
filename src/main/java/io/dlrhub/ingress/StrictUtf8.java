package io.dlrhub.ingress;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.dlrhub.event.EventJson;
import io.dlrhub.event.InvalidEventException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes that are not UTF-8 are refused (400 naming the field), never decoded: a lenient decoder
 * turns every bad byte into U+FFFD, so {@code message_id=utf%ff} and {@code utf%fe} became the same
 * stored id, and the second was answered {@code duplicate} of an event it is not.
 */
final class StrictUtf8 {

    private StrictUtf8() {}

    /**
     * Form or query text ({@code a=b&c=d}, also split at {@code ;} as the decoder does): each name
     * and value, percent-decoded to bytes, must be UTF-8.
     *
     * @param raw the encoded text as bytes (raw bytes above 0x7f count as themselves)
     */
    static void requireForm(byte[] raw) {
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == '&' || raw[i] == ';') {
                checkPair(raw, start, i);
                start = i + 1;
            }
        }
    }

    private static void checkPair(byte[] raw, int from, int to) {
        int equals = from;
        while (equals < to && raw[equals] != '=') {
            equals++;
        }
        byte[] name = percentDecoded(raw, from, equals);
        if (firstInvalid(name) >= 0) {
            throw new InvalidEventException("invalid_encoding", "a field name is not valid UTF-8");
        }
        if (equals < to && firstInvalid(percentDecoded(raw, equals + 1, to)) >= 0) {
            throw new InvalidEventException(
                    "invalid_encoding", printable(new String(name, StandardCharsets.UTF_8)) + " is not valid UTF-8");
        }
    }

    /** '+' is a space, %XY a byte; a broken escape stays as it is (the form decoder refuses it later). */
    private static byte[] percentDecoded(byte[] raw, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = raw[i];
            if (b == '%'
                    && i + 2 < to
                    && Character.digit(raw[i + 1], 16) >= 0
                    && Character.digit(raw[i + 2], 16) >= 0) {
                out.write(Character.digit(raw[i + 1], 16) * 16 + Character.digit(raw[i + 2], 16));
                i += 2;
            } else {
                out.write(b == '+' ? ' ' : b);
            }
        }
        return out.toByteArray();
    }

    /**
     * A JSON body must be UTF-8 as a whole; the answer names the field whose name or value holds
     * the first bad byte ({@code data.message_id}), as adapters name fields.
     */
    static void requireJson(byte[] body) {
        int invalid = firstInvalid(body);
        if (invalid < 0) {
            return;
        }
        String field = fieldAt(body, invalid);
        throw new InvalidEventException(
                "invalid_encoding", (field == null ? "the body" : printable(field)) + " is not valid UTF-8");
    }

    /** The offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and all), or -1. */
    static int firstInvalid(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(Math.max(16, bytes.length));
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            return in.position();
        }
        result = decoder.flush(out);
        return result.isError() ? in.position() : -1;
    }

    /** The dotted path of the JSON field whose name or value covers byte {@code offset}, or null. */
    private static String fieldAt(byte[] body, int offset) {
        // the same text with U+FFFD in place of bad bytes: the prefix before them is unchanged
        String text = new String(body, StandardCharsets.UTF_8);
        int charOffset = new String(body, 0, offset, StandardCharsets.UTF_8).length();
        try (JsonParser parser = EventJson.MAPPER.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                parser.finishToken(); // a string is read lazily: its end is known only once it is read
                long start = parser.currentTokenLocation().getCharOffset();
                long end = parser.currentLocation().getCharOffset();
                if (start <= charOffset && charOffset < end) {
                    String path = parser.getParsingContext().pathAsPointer().toString();
                    String dotted = path.isEmpty()
                            ? null
                            : path.substring(1)
                                    .replace('/', '.')
                                    .replace("~1", "/")
                                    .replace("~0", "~");
                    return token == JsonToken.FIELD_NAME
                            ? "a field name" + (dotted == null ? "" : " (at " + dotted + ")")
                            : dotted;
                }
                if (start > charOffset) {
                    return null;
                }
            }
        } catch (IOException | RuntimeException notJson) {
            // the bad byte is outside any readable field
        }
        return null;
    }

    private static String printable(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
