package io.dlrhub.event;

/** Character checks for values that end up in the database, logs and e-mails. */
final class Text {

    private Text() {}

    /** No control characters (CR, LF, NUL, tab, ...) and no broken surrogate pairs. */
    static boolean isPrintable(String value) {
        return value.codePoints().allMatch(c -> !Character.isISOControl(c) && isValidCodePoint(c)) && isStorable(value);
    }

    /** Can be stored as text in PostgreSQL: no NUL, well-formed UTF-16. */
    static boolean isStorable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidCodePoint(int c) {
        int type = Character.getType(c);
        return type != Character.UNASSIGNED && type != Character.FORMAT || c == 0x200D;
    }
}
