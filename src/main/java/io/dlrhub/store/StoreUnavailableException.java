package io.dlrhub.store;

/** The database could not be reached or refused the write: nothing was committed. */
public class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
