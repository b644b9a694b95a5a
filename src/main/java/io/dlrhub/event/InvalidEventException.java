package io.dlrhub.event;

/** A webhook's content cannot become a canonical event; the message names the provider's field. */
public class InvalidEventException extends RuntimeException {

    private final String code;

    public InvalidEventException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** For adapter routes ({@code throwException}): a body that does not carry what the provider promises. */
    public InvalidEventException(String message) {
        this("invalid_body", message);
    }

    public static InvalidEventException missing(String field) {
        return new InvalidEventException("missing_field", field + " is missing");
    }

    public static InvalidEventException invalid(String field, String problem) {
        return new InvalidEventException("invalid_field", field + " " + problem);
    }

    /** missing_field or invalid_field. */
    public String code() {
        return code;
    }
}
