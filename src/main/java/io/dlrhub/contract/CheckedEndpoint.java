package io.dlrhub.contract;

/** A {@code dlr:} endpoint that checks its parameters once they are set, before any exchange. */
interface CheckedEndpoint {

    /** @throws IllegalArgumentException naming the parameter that is missing or cannot work */
    void check();
}
