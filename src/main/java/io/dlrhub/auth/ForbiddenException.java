package io.dlrhub.auth;

/** The request comes from an address the provider's allowlist does not contain. */
public class ForbiddenException extends RuntimeException {

    public ForbiddenException(String message) {
        super(message);
    }
}
