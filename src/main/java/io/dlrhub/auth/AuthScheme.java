package io.dlrhub.auth;

/** One way a provider proves a webhook is genuine. Throws when the request does not pass. */
public interface AuthScheme {

    /**
     * @throws UnauthenticatedException when the credential is missing or wrong (401)
     * @throws ForbiddenException       when the request comes from where it may not (403)
     */
    void check(WebhookRequest request);

    /** For the start-up summary; never includes a secret. */
    String describe();
}
