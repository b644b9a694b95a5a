package io.dlrhub.auth;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who really sent a request: the TCP peer, or, when that peer is one of the trusted reverse
 * proxies, the nearest address in {@code X-Forwarded-For} that is not a trusted proxy. Anyone
 * else could write that header, so it is ignored from everyone else.
 */
public final class ClientAddress {

    private final List<IpSubnetFilterRule> trustedProxies;

    public ClientAddress(List<String> trustedProxies) {
        this.trustedProxies = rules(trustedProxies);
    }

    public String resolve(String peer, List<String> forwardedFor) {
        if (peer == null || !matches(trustedProxies, peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
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

    /** Whether this TCP peer is one of the trusted reverse proxies (its connections carry many clients). */
    public boolean trusted(String peer) {
        return peer != null && matches(trustedProxies, peer);
    }

    static boolean matches(List<IpSubnetFilterRule> rules, String address) {
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

    /** Addresses and CIDR ranges; anything that is not an IP literal is refused (never a DNS lookup). */
    static List<IpSubnetFilterRule> rules(List<String> entries) {
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

    static InetAddress literal(String text) {
        String value = text.trim();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        return NetUtil.createInetAddressFromIpAddressString(value);
    }
}
