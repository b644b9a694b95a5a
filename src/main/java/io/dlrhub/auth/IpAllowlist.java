package io.dlrhub.auth;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

/**
 * Only requests from listed addresses or CIDR ranges pass. Behind a reverse proxy the client is
 * taken from {@code X-Forwarded-For}, but only when the TCP peer is one of the trusted proxies;
 * anyone else could write that header.
 */
public final class IpAllowlist implements AuthScheme {

    private final List<IpSubnetFilterRule> allowed;
    private final List<IpSubnetFilterRule> trustedProxies;
    private final int allowedCount;

    public IpAllowlist(List<String> allowed, List<String> trustedProxies) {
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("an allowlist needs at least one address or CIDR range");
        }
        this.allowed = rules(allowed);
        this.trustedProxies = rules(trustedProxies);
        this.allowedCount = allowed.size();
    }

    @Override
    public void check(WebhookRequest request) {
        String client = clientAddress(request);
        if (client == null || !matches(allowed, client)) {
            throw new ForbiddenException("this address may not send webhooks for this provider");
        }
    }

    /** The TCP peer, or, when that is a trusted proxy, the nearest untrusted address it forwarded for. */
    String clientAddress(WebhookRequest request) {
        String peer = request.remote();
        if (peer == null || !matches(trustedProxies, peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : request.headerValues("X-Forwarded-For")) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            if (!matches(trustedProxies, hops.get(i))) {
                return hops.get(i);
            }
        }
        return hops.isEmpty() ? peer : hops.get(0);
    }

    private static boolean matches(List<IpSubnetFilterRule> rules, String address) {
        InetAddress parsed = literal(address);
        if (parsed == null) {
            return false;
        }
        InetSocketAddress socket = new InetSocketAddress(parsed, 0);
        for (IpSubnetFilterRule rule : rules) {
            if (rule.matches(socket)) {
                return true;
            }
        }
        return false;
    }

    private static List<IpSubnetFilterRule> rules(List<String> entries) {
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String entry : entries) {
            String[] parts = entry.trim().split("/", 2);
            InetAddress address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range");
            }
            int maxPrefix = address.getAddress().length * 8;
            int prefix;
            try {
                prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : maxPrefix;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + entry + "' has no valid prefix length");
            }
            if (prefix < 0 || prefix > maxPrefix) {
                throw new IllegalArgumentException("'" + entry + "' has a prefix length out of range");
            }
            rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
        }
        return rules;
    }

    /** Parses an IP literal without ever doing a DNS lookup; anything else is null. */
    private static InetAddress literal(String text) {
        String value = text.trim();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        return NetUtil.createInetAddressFromIpAddressString(value);
    }

    @Override
    public String describe() {
        return "IP allowlist (" + allowedCount + " entries)";
    }
}
