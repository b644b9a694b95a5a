package io.dlrhub.auth;

import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.util.List;

/**
 * Only requests from listed addresses or CIDR ranges pass. Behind a reverse proxy the client is
 * taken from {@code X-Forwarded-For}, but only when the TCP peer is one of the trusted proxies.
 */
public final class IpAllowlist implements AuthScheme {

    private final List<IpSubnetFilterRule> allowed;
    private final ClientAddress clientAddress;
    private final int allowedCount;

    public IpAllowlist(List<String> allowed, List<String> trustedProxies) {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("an allowlist needs at least one address or CIDR range");
        }
        this.allowed = ClientAddress.rules(allowed);
        this.clientAddress = new ClientAddress(trustedProxies);
        this.allowedCount = allowed.size();
    }

    @Override
    public void check(WebhookRequest request) {
        String client = clientAddress(request);
        if (client == null || !ClientAddress.matches(allowed, client)) {
            throw new ForbiddenException("this address may not send webhooks for this provider");
        }
    }

    /** The TCP peer, or, when that is a trusted proxy, the nearest untrusted address it forwarded for. */
    String clientAddress(WebhookRequest request) {
        return clientAddress.resolve(request.remote(), request.headerValues("X-Forwarded-For"));
    }

    @Override
    public String describe() {
        return "IP allowlist (" + allowedCount + " entries)";
    }
}
