package io.dlrhub.contract;

/** A route step that cannot work, named by its file and line ("routes/acme.camel.yaml line 18: ..."). */
class RouteFileException extends IllegalArgumentException {

    RouteFileException(String place, Throwable cause) {
        super(place + ": " + RouteFileCheck.rootMessage(cause), cause);
    }
}
