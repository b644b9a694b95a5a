package io.dlrhub.auth;

/** The request did not prove it comes from the provider. The message never contains a secret. */
public class UnauthenticatedException extends RuntimeException {

    public UnauthenticatedException(String message) {
        super(message);
    }
}
