package io.dlrhub.support;

/**
 * What tests expect of stored text, written independently of the service's own checks so that
 * a mistake there cannot hide in both places.
 */
public final class TextChecks {

    private TextChecks() {}

    /** No control character (C0, DEL, C1), no NUL, no unpaired surrogate. */
    public static boolean printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return false;
            }
        }
        return storable(value);
    }

    /** No NUL, well-formed UTF-16: PostgreSQL can store it as text. */
    public static boolean storable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
